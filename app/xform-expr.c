/* xform-expr.c: expressions: what an XPath expression reads, and the edits that contextualise it before libxml2 compiles it. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include "xpath-rewrite.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Expressions: a walk of the parsed expression (app/xpath-parse.c)    */
/* finds the instance nodes it reads, checks its functions, and        */
/* contextualises absolute paths into the enclosing repeat instance    */
/* (as JavaRosa does).                                                 */

typedef struct {
  ClmrsForm            *form;
  const ClmrsXPathTree *tree;
  NodeDef              *current;      /* what current() is */
  GPtrArray            *deps;
  gboolean              depends_all;
  GString              *error;
  GString              *warning;      /* a reference to a node the instance lacks */
  GArray               *edits;        /* ClmrsXPathEdit */
  NodeDef              *lifted;       /* jr:count: relative to this repeat, evaluated at its parent */
  int                   no_rewrite;   /* inside indexed-repeat() */
} Scan;

static const ClmrsXPathToken *
scan_token (Scan  *scan,
            guint  index)
{
  return clmrs_xpath_tree_token (scan->tree, index);
}

static void
scan_add_dep (Scan    *scan,
              NodeDef *def)
{
  if (!g_ptr_array_find (scan->deps, def, NULL))
    g_ptr_array_add (scan->deps, def);
}

static void
scan_edit (Scan               *scan,
           ClmrsXPathEditKind  kind,
           gsize               start,
           gsize               end,
           const char         *replacement)
{
  clmrs_xpath_edits_add (scan->edits, kind, start, end, 0, replacement);
}

/* TRUE when token @index is + or - (where a date is meant as days). */
static gboolean
is_date_operator (Scan *scan,
                  gint  index)
{
  ClmrsXPathTokenKind kind;

  if (index < 0 || (guint) index >= scan->tree->tokens->len)
    return FALSE;
  kind = scan_token (scan, index)->kind;
  return kind == CLMRS_XPATH_TOKEN_PLUS || kind == CLMRS_XPATH_TOKEN_MINUS;
}

/* JavaRosa reads a date as its number of days in arithmetic; XPath 1.0
 * reads NaN.  A date operand of + or - (tokens @first to @last) is wrapped
 * in decimal-date-time().  Comparisons need no wrapping: clmrs-lt() and
 * the like compare dates by their value (app/xpath-rewrite.c). */
static void
wrap_date_operand (Scan  *scan,
                   guint  first,
                   guint  last)
{
  if (!is_date_operator (scan, (gint) first - 1) && !is_date_operator (scan, (gint) last + 1))
    return;
  scan_edit (scan, CLMRS_XPATH_EDIT_WRAP_OPEN, scan_token (scan, first)->start,
             scan_token (scan, first)->start, "decimal-date-time(");
  scan_edit (scan, CLMRS_XPATH_EDIT_WRAP_CLOSE, scan_token (scan, last)->end,
             scan_token (scan, last)->end, ")");
}

static void     scan_node (Scan                 *scan,
                           const ClmrsXPathNode *node,
                           NodeDef              *context,
                           gboolean              secondary);
static gboolean scan_call (Scan                 *scan,
                           const ClmrsXPathNode *call,
                           NodeDef              *context,
                           gboolean              secondary);

static void
scan_predicates (Scan      *scan,
                 GPtrArray *predicates,
                 NodeDef   *context,
                 gboolean   secondary)
{
  for (guint i = 0; predicates != NULL && i < predicates->len; i++)
    scan_node (scan, predicates->pdata[i], context, secondary);
}

/* TRUE when a name test is "*". */
static gboolean
is_star (Scan                 *scan,
         const ClmrsXPathStep *step)
{
  const ClmrsXPathToken *test = scan_token (scan, step->test);

  return test->end - test->start == 1 && scan->tree->source[test->start] == '*';
}

/* The steps of @path, starting at @context (NULL with @secondary for a
 * secondary instance); @absolute when they start at the root, @first_token
 * the path's first token.  TRUE when the path was rewritten to start at
 * current(). */
static gboolean
scan_steps (Scan                 *scan,
            const ClmrsXPathNode *path,
            NodeDef              *context,
            gboolean              secondary,
            gboolean              absolute,
            guint                 first_token)
{
  gboolean at_root = absolute;
  gboolean unknown = !absolute && context == NULL && !secondary;
  gboolean predicated = FALSE;
  NodeDef *def = absolute ? NULL : context;
  gsize rewrite_end = 0;
  NodeDef *rewrite_repeat = NULL;

  for (guint i = 0; i < path->steps->len; i++)
    {
      const ClmrsXPathStep *step = path->steps->pdata[i];

      if (step->descendant)
        {
          scan->depends_all = TRUE;
          unknown = TRUE;
        }
      switch (step->kind)
        {
        case CLMRS_XPATH_STEP_SELF:
        case CLMRS_XPATH_STEP_NODE_TYPE:
          break;
        case CLMRS_XPATH_STEP_PARENT:
          /* a jr:count is relative to its repeat but evaluated at the
           * repeat's parent (there may be no instance yet): its first ".."
           * is that parent */
          if (def == scan->lifted && def != NULL && !secondary && !unknown && step->first == first_token)
            scan_edit (scan, CLMRS_XPATH_EDIT_WRAP_OPEN, scan_token (scan, step->first)->start,
                       scan_token (scan, step->first)->end, ".");
          if (!secondary && !unknown)
            {
              if (def == NULL || def->parent == NULL)
                unknown = TRUE;
              else
                def = def->parent;
            }
          break;
        case CLMRS_XPATH_STEP_NAME:
          if (is_star (scan, step))
            {
              scan->depends_all = TRUE;
              unknown = TRUE;
            }
          else if (!secondary && !unknown)
            {
              g_autofree char *name = clmrs_xpath_tree_text (scan->tree, step->test);
              NodeDef *next = at_root ? (g_str_equal (name, scan->form->root->name) ? scan->form->root : NULL)
                                      : _xform_def_child (def, name);
              if (next == NULL)
                {
                  /* JavaRosa reads a node the instance lacks as empty
                   * (pyxform's "null" in if(..., ..., null)): a warning */
                  if (scan->warning->len == 0)
                    g_string_append_printf (scan->warning, "%s%s%s is not in the primary instance",
                                            at_root ? "/" : (def ? def->path : ""), at_root ? "" : "/", name);
                  unknown = TRUE;
                }
              def = next;
            }
          break;
        case CLMRS_XPATH_STEP_AXIS:
          scan->depends_all = TRUE;
          unknown = TRUE;
          break;
        case CLMRS_XPATH_STEP_ATTRIBUTE:
          if (!secondary && !unknown && def != NULL)
            scan_add_dep (scan, def);
          unknown = TRUE;
          break;
        default:
          g_assert_not_reached ();
        }
      at_root = FALSE;

      if (step->predicates != NULL)
        {
          predicated = TRUE;
          scan_predicates (scan, step->predicates, unknown || secondary ? NULL : def, secondary || unknown);
        }

      if (absolute && !predicated && !unknown && def != NULL && def->repeat &&
          scan->current != NULL && _xform_is_ancestor_or_self (def, scan->current) && scan->no_rewrite == 0)
        {
          rewrite_end = scan_token (scan, step->last)->end;
          rewrite_repeat = def;
        }
    }

  if (!secondary && !unknown && def != NULL)
    scan_add_dep (scan, def);
  if (!secondary && !unknown && def != NULL && def->bind != NULL &&
      (def->bind->type == CLMRS_TYPE_DATE || def->bind->type == CLMRS_TYPE_DATETIME))
    wrap_date_operand (scan, path->first, path->last);
  if (rewrite_repeat != NULL)
    {
      g_autoptr(GString) replacement = g_string_new ("current()");

      for (guint i = rewrite_repeat->depth; i < scan->current->depth; i++)
        g_string_append (replacement, "/..");
      scan_edit (scan, CLMRS_XPATH_EDIT_WRAP_OPEN, scan_token (scan, first_token)->start,
                 rewrite_end, replacement->str);
    }
  return rewrite_repeat != NULL;
}

/* A location path, or a filter expression with its predicates and steps. */
static void
scan_path (Scan                 *scan,
           const ClmrsXPathNode *path,
           NodeDef              *context,
           gboolean              secondary)
{
  const ClmrsXPathNode *filter = path->filter;

  if (filter != NULL)
    {
      gboolean is_current = FALSE;
      guint first_step;

      if (filter->kind == CLMRS_XPATH_NODE_CALL)
        is_current = scan_call (scan, filter, context, secondary);
      else
        scan_node (scan, filter, context, secondary);
      scan_predicates (scan, path->filter_predicates, NULL, TRUE);
      if (path->steps->len == 0)
        {
          if (is_current && scan->current != NULL)
            scan_add_dep (scan, scan->current);
          return;
        }
      first_step = ((const ClmrsXPathStep *) path->steps->pdata[0])->first;
      if (is_current)
        scan_steps (scan, path, scan->current, scan->current == NULL, FALSE, first_step);
      else
        scan_steps (scan, path, NULL, TRUE, FALSE, first_step);
      return;
    }

  /* libxml2 takes "/" from the document of the node a predicate tests:
   * inside instance('x')/root/item[...] that is the form's (or a media
   * file's) document, not the filling (unless the path now starts at
   * current()) */
  if (path->absolute && path->steps->len == 0)
    scan_add_dep (scan, scan->form->root);
  else if (scan_steps (scan, path, context, path->absolute ? FALSE : secondary, path->absolute, path->first))
    return;
  if (path->absolute && secondary)
    scan_edit (scan, CLMRS_XPATH_EDIT_WRAP_OPEN, scan_token (scan, path->first)->start,
               scan_token (scan, path->first)->start, "clmrs-root()");
}

/* A function call; TRUE when it is current(). */
static gboolean
scan_call (Scan                 *scan,
           const ClmrsXPathNode *call,
           NodeDef              *context,
           gboolean              secondary)
{
  g_autofree char *qname = clmrs_xpath_tree_text (scan->tree, call->first);
  const char *colon = strchr (qname, ':');
  const char *name = colon != NULL ? colon + 1 : qname;
  g_autofree char *prefix = colon != NULL ? g_strndup (qname, colon - qname) : NULL;
  const char *ns = NULL;
  gboolean is_current, is_instance, is_indexed, is_date;

  if (prefix != NULL)
    {
      ns = "?";
      for (guint i = 0; i + 1 < scan->form->namespaces->len; i += 2)
        if (g_str_equal (scan->form->namespaces->pdata[i], prefix))
          ns = scan->form->namespaces->pdata[i + 1];
    }
  if (!_clmrs_xpath_function_exists (ns, name) && scan->error->len == 0)
    g_string_append_printf (scan->error, "unknown function %s()", qname);
  is_current = ns == NULL && g_str_equal (name, "current");
  is_instance = ns == NULL && g_str_equal (name, "instance");
  is_indexed = ns == NULL && g_str_equal (name, "indexed-repeat");
  is_date = ns == NULL && (g_str_equal (name, "today") || g_str_equal (name, "now"));

  if (is_instance && call->args->len == 1 &&
      ((const ClmrsXPathNode *) call->args->pdata[0])->kind == CLMRS_XPATH_NODE_LITERAL)
    {
      const ClmrsXPathToken *arg = scan_token (scan, ((const ClmrsXPathNode *) call->args->pdata[0])->first);
      g_autofree char *id = g_strndup (scan->tree->source + arg->start + 1, arg->end - arg->start - 2);
      if (!g_hash_table_contains (scan->form->instances, id) && scan->error->len == 0)
        g_string_append_printf (scan->error, "instance('%s') names no secondary instance", id);
    }
  scan->no_rewrite += is_indexed;
  for (guint i = 0; i < call->args->len; i++)
    scan_node (scan, call->args->pdata[i], context, secondary);
  scan->no_rewrite -= is_indexed;
  if (is_date)
    wrap_date_operand (scan, call->first, call->last);
  return is_current;
}

/* Walks @node, evaluated at @context (NULL with @secondary inside a
 * secondary instance's predicate). */
static void
scan_node (Scan                 *scan,
           const ClmrsXPathNode *node,
           NodeDef              *context,
           gboolean              secondary)
{
  switch (node->kind)
    {
    case CLMRS_XPATH_NODE_BINARY:
      scan_node (scan, node->left, context, secondary);
      scan_node (scan, node->right, context, secondary);
      break;
    case CLMRS_XPATH_NODE_NEGATE:
    case CLMRS_XPATH_NODE_GROUP:
      scan_node (scan, node->left, context, secondary);
      break;
    case CLMRS_XPATH_NODE_CALL:
      if (scan_call (scan, node, context, secondary) && scan->current != NULL)
        scan_add_dep (scan, scan->current);
      break;
    case CLMRS_XPATH_NODE_PATH:
      scan_path (scan, node, context, secondary);
      break;
    case CLMRS_XPATH_NODE_LITERAL:
    case CLMRS_XPATH_NODE_NUMBER:
    case CLMRS_XPATH_NODE_VARIABLE:
      break;
    default:
      g_assert_not_reached ();
    }
}

void
_xform_capture_xpath_error (void        *data,
                            xmlErrorPtr  error)
{
  Loader *loader = data;

  if (loader != NULL && loader->xpath_error->len == 0 && error != NULL && error->message != NULL)
    {
      g_string_append (loader->xpath_error, error->message);
      g_strchomp (loader->xpath_error->str);
      loader->xpath_error->len = strlen (loader->xpath_error->str);
    }
}

/* Compiles @source to be evaluated at @context (also what current() is;
 * NULL for an expression on a secondary instance's item, then @current).
 * Returns NULL after adding a problem. */
Expr *
_xform_compile_expr (Loader     *loader,
                     const char *source,
                     NodeDef    *context,
                     NodeDef    *current,
                     int         line,
                     const char *node,
                     const char *what)
{
  return _xform_compile_expr_lifted (loader, source, context, current, NULL, line, node, what);
}

/* _xform_compile_expr() for a jr:count: relative to the repeat @lifted (given as
 * @context), evaluated at its parent. */
Expr *
_xform_compile_expr_lifted (Loader     *loader,
                            const char *source,
                            NodeDef    *context,
                            NodeDef    *current,
                            NodeDef    *lifted,
                            int         line,
                            const char *node,
                            const char *what)
{
  g_autoptr(GString) error = g_string_new (NULL);
  g_autoptr(GString) warning = g_string_new (NULL);
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(ClmrsXPathTree) tree = NULL;
  g_autoptr(GArray) edits = NULL;
  g_autofree char *rewritten = NULL;
  Scan scan = { 0 };
  Expr *expr;

  if (_xform_is_blank (source))
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s is empty", what);
      return NULL;
    }
  tree = clmrs_xpath_parse (source, &parse_error);
  if (tree == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\" does not compile: %s",
                          what, source, parse_error->message);
      return NULL;
    }
  edits = clmrs_xpath_edits_new ();
  scan.form = loader->form;
  scan.tree = tree;
  scan.current = current != NULL ? current : context;
  scan.deps = g_ptr_array_new ();
  scan.error = error;
  scan.warning = warning;
  scan.edits = edits;
  scan.lifted = lifted;
  scan_node (&scan, tree->root, context, context == NULL);
  if (error->len > 0)
    {
      g_ptr_array_unref (scan.deps);
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\": %s", what, source, error->str);
      return NULL;
    }

  /* ODK compares dates as dates: XPath 1.0 would turn both sides of
   * ". <= today()" into NaN (app/xpath-rewrite.c) */
  clmrs_xpath_comparison_edits (tree, edits);
  rewritten = clmrs_xpath_apply_edits (source, edits);

  expr = g_new0 (Expr, 1);
  expr->source = g_strdup (source);
  expr->deps = scan.deps;
  expr->depends_all = scan.depends_all;
  g_string_truncate (loader->xpath_error, 0);
  expr->comp = xmlXPathCtxtCompile (loader->xpath, (const xmlChar *) rewritten);
  if (expr->comp == NULL)
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\" does not compile: %s",
                          what, source, loader->xpath_error->len ? loader->xpath_error->str : "invalid expression");
      _xform_expr_free (expr);
      return NULL;
    }
  g_ptr_array_add (loader->form->exprs, expr);
  if (warning->len > 0)
    _xform_add_warning (loader, line, node, "%s \"%s\": %s; it reads as empty", what, source, warning->str);
  return expr;
}
