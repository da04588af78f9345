/* xform-expr.c: expressions: a scanner finds what an XPath expression reads and rewrites it before libxml2 compiles it. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include "xpath-rewrite.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Expressions: a small XPath scanner finds the instance nodes an      */
/* expression reads, checks its functions, and contextualises absolute */
/* paths into the enclosing repeat instance (as JavaRosa does).        */

typedef enum {
  TK_NAME,
  TK_FUNC,
  TK_NODETYPE,
  TK_STRING,
  TK_NUMBER,
  TK_OPERATOR,
  TK_SLASH,
  TK_DSLASH,
  TK_DOT,
  TK_DDOT,
  TK_AT,
  TK_LPAREN,
  TK_RPAREN,
  TK_LBRACK,
  TK_RBRACK,
  TK_COMMA,
  TK_STAR,
  TK_VAR,
  TK_AXIS,
  TK_END,
} TokenKind;

typedef struct {
  TokenKind kind;
  int       start;
  int       end;
} Token;

typedef struct {
  int   start;
  int   end;
  char *replacement;
  guint seq;
} Edit;

typedef struct {
  ClmrsForm  *form;
  const char *source;
  GArray     *tokens;
  guint       pos;
  NodeDef    *current;      /* what current() is */
  GPtrArray  *deps;
  gboolean    depends_all;
  GString    *error;
  GString    *warning;      /* a reference to a node the instance lacks */
  GArray     *edits;
  NodeDef    *lifted;       /* jr:count: relative to this repeat, evaluated at its parent */
  int         no_rewrite;   /* inside indexed-repeat() */
  int         depth;        /* nesting, bounded */
} Scan;

static gboolean
is_name_start (unsigned char c)
{
  return g_ascii_isalpha (c) || c == '_' || c >= 0x80;
}

static gboolean
is_name_char (unsigned char c)
{
  return is_name_start (c) || g_ascii_isdigit (c) || c == '-' || c == '.';
}

static gboolean
operand_position (GArray *tokens)
{
  TokenKind kind;

  if (tokens->len == 0)
    return TRUE;
  kind = g_array_index (tokens, Token, tokens->len - 1).kind;
  return kind == TK_AT || kind == TK_AXIS || kind == TK_LPAREN || kind == TK_LBRACK ||
         kind == TK_COMMA || kind == TK_OPERATOR || kind == TK_SLASH || kind == TK_DSLASH;
}

static GArray *
tokenize (const char  *s,
          GString     *error)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  int i = 0;

  while (s[i] != '\0')
    {
      Token token = { TK_END, i, i + 1 };
      unsigned char c = s[i];

      if (g_ascii_isspace (c))
        {
          i++;
          continue;
        }
      if (c == '\'' || c == '"')
        {
          const char *close = strchr (s + i + 1, c);
          if (close == NULL)
            {
              g_string_append_printf (error, "unterminated string at character %d", i + 1);
              break;
            }
          token.kind = TK_STRING;
          token.end = close - s + 1;
        }
      else if (g_ascii_isdigit (c) || (c == '.' && g_ascii_isdigit (s[i + 1])))
        {
          int j = i;
          while (g_ascii_isdigit (s[j]) || s[j] == '.')
            j++;
          token.kind = TK_NUMBER;
          token.end = j;
        }
      else if (c == '.')
        {
          token.kind = s[i + 1] == '.' ? TK_DDOT : TK_DOT;
          token.end = i + (token.kind == TK_DDOT ? 2 : 1);
        }
      else if (c == '/')
        {
          token.kind = s[i + 1] == '/' ? TK_DSLASH : TK_SLASH;
          token.end = i + (token.kind == TK_DSLASH ? 2 : 1);
        }
      else if (c == '(')
        token.kind = TK_LPAREN;
      else if (c == ')')
        token.kind = TK_RPAREN;
      else if (c == '[')
        token.kind = TK_LBRACK;
      else if (c == ']')
        token.kind = TK_RBRACK;
      else if (c == ',')
        token.kind = TK_COMMA;
      else if (c == '@')
        token.kind = TK_AT;
      else if (c == '|' || c == '+' || c == '-' || c == '=')
        token.kind = TK_OPERATOR;
      else if (c == '!' && s[i + 1] == '=')
        {
          token.kind = TK_OPERATOR;
          token.end = i + 2;
        }
      else if (c == '<' || c == '>')
        {
          token.kind = TK_OPERATOR;
          token.end = i + (s[i + 1] == '=' ? 2 : 1);
        }
      else if (c == '*')
        token.kind = operand_position (tokens) ? TK_STAR : TK_OPERATOR;
      else if (c == '$' && is_name_start (s[i + 1]))
        {
          int j = i + 1;
          while (is_name_char (s[j]) || (s[j] == ':' && s[j + 1] != ':'))
            j++;
          token.kind = TK_VAR;
          token.end = j;
        }
      else if (is_name_start (c))
        {
          int j = i;
          int k;
          gboolean operand = operand_position (tokens);

          while (is_name_char (s[j]))
            j++;
          if (s[j] == ':' && s[j + 1] != ':' && (is_name_start (s[j + 1]) || s[j + 1] == '*'))
            {
              j++;
              if (s[j] == '*')
                j++;
              else
                while (is_name_char (s[j]))
                  j++;
            }
          token.end = j;
          k = j;
          while (g_ascii_isspace (s[k]))
            k++;
          if (!operand)
            {
              token.kind = TK_OPERATOR;
              if (!(j - i == 3 && (strncmp (s + i, "and", 3) == 0 || strncmp (s + i, "div", 3) == 0 ||
                                   strncmp (s + i, "mod", 3) == 0)) &&
                  !(j - i == 2 && strncmp (s + i, "or", 2) == 0))
                {
                  g_string_append_printf (error, "unexpected name '%.*s' at character %d", j - i, s + i, i + 1);
                  break;
                }
            }
          else if (s[k] == ':' && s[k + 1] == ':')
            {
              token.kind = TK_AXIS;
              token.end = k + 2;
            }
          else if (s[k] == '(')
            {
              gboolean node_type = (j - i == 4 && (strncmp (s + i, "node", 4) == 0 || strncmp (s + i, "text", 4) == 0)) ||
                                   (j - i == 7 && strncmp (s + i, "comment", 7) == 0) ||
                                   (j - i == 22 && strncmp (s + i, "processing-instruction", 22) == 0);
              token.kind = node_type ? TK_NODETYPE : TK_FUNC;
            }
          else
            token.kind = TK_NAME;
        }
      else
        {
          g_string_append_printf (error, "unexpected character '%c' at character %d", c, i + 1);
          break;
        }
      g_array_append_val (tokens, token);
      i = token.end;
    }
  {
    Token end = { TK_END, i, i };
    g_array_append_val (tokens, end);
  }
  return tokens;
}

static Token *
scan_peek (Scan *scan)
{
  return &g_array_index (scan->tokens, Token, scan->pos);
}

static void
scan_add_dep (Scan    *scan,
              NodeDef *def)
{
  if (!g_ptr_array_find (scan->deps, def, NULL))
    g_ptr_array_add (scan->deps, def);
}

static void
scan_edit (Scan       *scan,
           int         start,
           int         end,
           const char *replacement)
{
  Edit edit = { start, end, g_strdup (replacement), scan->edits->len };

  g_array_append_val (scan->edits, edit);
}

/* TRUE when token @index is + - < > <= >= (where a date is meant as days). */
static gboolean
is_date_operator (Scan *scan,
                  int   index)
{
  Token *token;
  int length;
  const char *text;

  if (index < 0 || (guint) index >= scan->tokens->len)
    return FALSE;
  token = &g_array_index (scan->tokens, Token, index);
  if (token->kind != TK_OPERATOR)
    return FALSE;
  text = scan->source + token->start;
  length = token->end - token->start;
  return (length == 1 && strchr ("+-<>", text[0]) != NULL) ||
         (length == 2 && (text[0] == '<' || text[0] == '>') && text[1] == '=');
}

/* JavaRosa reads a date as its number of days in arithmetic and ordering;
 * XPath 1.0 reads NaN.  A date operand of + - < > <= >= (tokens @first to
 * @last) is wrapped in decimal-date-time(). */
static void
wrap_date_operand (Scan *scan,
                   int   first,
                   int   last)
{
  if (!is_date_operator (scan, first - 1) && !is_date_operator (scan, last + 1))
    return;
  scan_edit (scan, g_array_index (scan->tokens, Token, first).start,
             g_array_index (scan->tokens, Token, first).start, "decimal-date-time(");
  scan_edit (scan, g_array_index (scan->tokens, Token, last).end,
             g_array_index (scan->tokens, Token, last).end, ")");
}

static void scan_expr (Scan      *scan,
                       NodeDef   *context,
                       gboolean   secondary,
                       TokenKind  stop);
static void scan_expr_inner (Scan      *scan,
                             NodeDef   *context,
                             gboolean   secondary,
                             TokenKind  stop);

/* A location path from the current token.  @context is the node relative
 * paths start from (NULL with @secondary for a secondary instance). */
static void
scan_path (Scan     *scan,
           NodeDef  *context,
           gboolean  secondary)
{
  Token *token = scan_peek (scan);
  gboolean absolute = FALSE;
  gboolean at_root = FALSE;
  gboolean unknown = FALSE;
  gboolean predicated = FALSE;
  NodeDef *def = context;
  int path_start = token->start;
  int rewrite_end = -1;
  NodeDef *rewrite_repeat = NULL;
  int first_token = scan->pos;

  if (token->kind == TK_SLASH || token->kind == TK_DSLASH)
    {
      /* libxml2 takes "/" from the document of the node a predicate
       * tests: inside instance('x')/root/item[...] that is the form's
       * (or a media file's) document, not the filling */
      if (secondary)
        scan_edit (scan, token->start, token->start, "clmrs-root()");
      absolute = TRUE;
      secondary = FALSE;
      at_root = TRUE;
      def = NULL;
      if (token->kind == TK_DSLASH)
        {
          scan->depends_all = TRUE;
          unknown = TRUE;
        }
      scan->pos++;
      token = scan_peek (scan);
      if (token->kind != TK_NAME && token->kind != TK_STAR && token->kind != TK_DOT &&
          token->kind != TK_DDOT && token->kind != TK_AT && token->kind != TK_NODETYPE &&
          token->kind != TK_AXIS)
        {
          if (!unknown)
            scan_add_dep (scan, scan->form->root);
          return;
        }
    }
  else if (context == NULL && !secondary)
    unknown = TRUE;

  for (;;)
    {
      token = scan_peek (scan);
      switch (token->kind)
        {
        case TK_DOT:
          scan->pos++;
          break;
        case TK_DDOT:
          /* a jr:count is relative to its repeat but evaluated at the
           * repeat's parent (there may be no instance yet): its first ".."
           * is that parent */
          if (def == scan->lifted && def != NULL && !secondary && !unknown && scan->pos == (guint) first_token)
            scan_edit (scan, token->start, token->end, ".");
          scan->pos++;
          if (!secondary && !unknown)
            {
              if (def == NULL || def->parent == NULL)
                unknown = TRUE;
              else
                def = def->parent;
            }
          break;
        case TK_NAME:
          scan->pos++;
          if (!secondary && !unknown)
            {
              g_autofree char *name = g_strndup (scan->source + token->start, token->end - token->start);
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
        case TK_STAR:
          scan->pos++;
          scan->depends_all = TRUE;
          unknown = TRUE;
          break;
        case TK_AXIS:
          scan->pos++;
          scan->depends_all = TRUE;
          unknown = TRUE;
          continue;
        case TK_AT:
          scan->pos++;
          if (scan_peek (scan)->kind == TK_NAME || scan_peek (scan)->kind == TK_STAR)
            scan->pos++;
          if (!secondary && !unknown && def != NULL)
            scan_add_dep (scan, def);
          unknown = TRUE;
          break;
        case TK_NODETYPE:
          scan->pos++;
          if (scan_peek (scan)->kind == TK_LPAREN)
            {
              scan->pos++;
              scan_expr (scan, NULL, TRUE, TK_RPAREN);
              if (scan_peek (scan)->kind == TK_RPAREN)
                scan->pos++;
            }
          break;
        default:
          if (scan->error->len == 0)
            g_string_append_printf (scan->error, "a path step is missing at character %d", token->start + 1);
          return;
        }
      at_root = FALSE;

      while (scan_peek (scan)->kind == TK_LBRACK)
        {
          predicated = TRUE;
          scan->pos++;
          scan_expr (scan, unknown || secondary ? NULL : def, secondary || unknown, TK_RBRACK);
          if (scan_peek (scan)->kind != TK_RBRACK)
            {
              if (scan->error->len == 0)
                g_string_append (scan->error, "a predicate is not closed");
              return;
            }
          scan->pos++;
        }

      if (absolute && !predicated && !unknown && def != NULL && def->repeat &&
          scan->current != NULL && _xform_is_ancestor_or_self (def, scan->current) && scan->no_rewrite == 0)
        {
          rewrite_end = g_array_index (scan->tokens, Token, scan->pos - 1).end;
          rewrite_repeat = def;
        }

      token = scan_peek (scan);
      if (token->kind == TK_SLASH)
        scan->pos++;
      else if (token->kind == TK_DSLASH)
        {
          scan->pos++;
          scan->depends_all = TRUE;
          unknown = TRUE;
        }
      else
        break;
    }

  if (!secondary && !unknown && def != NULL)
    scan_add_dep (scan, def);
  if (!secondary && !unknown && def != NULL && def->bind != NULL &&
      (def->bind->type == CLMRS_TYPE_DATE || def->bind->type == CLMRS_TYPE_DATETIME))
    wrap_date_operand (scan, first_token, scan->pos - 1);
  if (rewrite_repeat != NULL)
    {
      g_autoptr(GString) replacement = g_string_new ("current()");

      for (guint i = rewrite_repeat->depth; i < scan->current->depth; i++)
        g_string_append (replacement, "/..");
      scan_edit (scan, path_start, rewrite_end, replacement->str);
    }
}

static void
scan_function (Scan     *scan,
               NodeDef  *context,
               gboolean  secondary)
{
  Token *token = scan_peek (scan);
  g_autofree char *qname = g_strndup (scan->source + token->start, token->end - token->start);
  const char *colon = strchr (qname, ':');
  const char *name = colon != NULL ? colon + 1 : qname;
  g_autofree char *prefix = colon != NULL ? g_strndup (qname, colon - qname) : NULL;
  const char *ns = NULL;
  gboolean is_current, is_instance, is_indexed, is_date;
  int first_token;

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
  first_token = scan->pos;

  scan->pos++;   /* name */
  scan->pos++;   /* ( */
  if (is_instance && scan_peek (scan)->kind == TK_STRING &&
      g_array_index (scan->tokens, Token, scan->pos + 1).kind == TK_RPAREN)
    {
      Token *arg = scan_peek (scan);
      g_autofree char *id = g_strndup (scan->source + arg->start + 1, arg->end - arg->start - 2);
      if (!g_hash_table_contains (scan->form->instances, id) && scan->error->len == 0)
        g_string_append_printf (scan->error, "instance('%s') names no secondary instance", id);
    }
  scan->no_rewrite += is_indexed;
  scan_expr (scan, context, secondary, TK_RPAREN);
  scan->no_rewrite -= is_indexed;
  if (scan_peek (scan)->kind != TK_RPAREN)
    {
      if (scan->error->len == 0)
        g_string_append_printf (scan->error, "%s( is not closed", qname);
      return;
    }
  scan->pos++;
  if (is_date)
    wrap_date_operand (scan, first_token, scan->pos - 1);
  while (scan_peek (scan)->kind == TK_LBRACK)
    {
      scan->pos++;
      scan_expr (scan, NULL, TRUE, TK_RBRACK);
      if (scan_peek (scan)->kind == TK_RBRACK)
        scan->pos++;
    }
  if (scan_peek (scan)->kind == TK_SLASH || scan_peek (scan)->kind == TK_DSLASH)
    {
      scan->pos++;
      if (is_current)
        scan_path (scan, scan->current, scan->current == NULL);
      else
        scan_path (scan, NULL, TRUE);
    }
  else if (is_current && scan->current != NULL)
    scan_add_dep (scan, scan->current);
}

/* Scans until @stop (not consumed) or the end. */
static void
scan_expr (Scan      *scan,
           NodeDef   *context,
           gboolean   secondary,
           TokenKind  stop)
{
  if (++scan->depth > 100)
    {
      if (scan->error->len == 0)
        g_string_append (scan->error, "the expression is nested too deeply");
      scan->depth--;
      return;
    }
  scan_expr_inner (scan, context, secondary, stop);
  scan->depth--;
}

static void
scan_expr_inner (Scan      *scan,
                 NodeDef   *context,
                 gboolean   secondary,
                 TokenKind  stop)
{
  for (;;)
    {
      Token *token = scan_peek (scan);

      if (token->kind == TK_END || token->kind == stop || scan->error->len > 0)
        return;
      switch (token->kind)
        {
        case TK_FUNC:
          scan_function (scan, context, secondary);
          break;
        case TK_LPAREN:
          scan->pos++;
          scan_expr (scan, context, secondary, TK_RPAREN);
          if (scan_peek (scan)->kind != TK_RPAREN)
            {
              if (scan->error->len == 0)
                g_string_append (scan->error, "a parenthesis is not closed");
              return;
            }
          scan->pos++;
          while (scan_peek (scan)->kind == TK_LBRACK)
            {
              scan->pos++;
              scan_expr (scan, NULL, TRUE, TK_RBRACK);
              if (scan_peek (scan)->kind == TK_RBRACK)
                scan->pos++;
            }
          if (scan_peek (scan)->kind == TK_SLASH || scan_peek (scan)->kind == TK_DSLASH)
            {
              scan->pos++;
              scan_path (scan, NULL, TRUE);
            }
          break;
        case TK_SLASH:
        case TK_DSLASH:
        case TK_DOT:
        case TK_DDOT:
        case TK_AT:
        case TK_STAR:
        case TK_NAME:
        case TK_NODETYPE:
        case TK_AXIS:
          scan_path (scan, context, secondary);
          break;
        case TK_RPAREN:
        case TK_RBRACK:
          if (scan->error->len == 0)
            g_string_append_printf (scan->error, "unbalanced '%c' at character %d",
                                    scan->source[token->start], token->start + 1);
          return;
        default:
          scan->pos++;
          break;
        }
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

static int
compare_edits (gconstpointer a,
               gconstpointer b)
{
  const Edit *x = a;
  const Edit *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
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
  g_autoptr(GArray) tokens = NULL;
  g_autoptr(GArray) edits = g_array_new (FALSE, FALSE, sizeof (Edit));
  g_autoptr(GString) rewritten = g_string_new (NULL);
  Scan scan = { 0 };
  Expr *expr;
  int at = 0;

  if (_xform_is_blank (source))
    {
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s is empty", what);
      return NULL;
    }
  tokens = tokenize (source, error);
  scan.form = loader->form;
  scan.source = source;
  scan.tokens = tokens;
  scan.current = current != NULL ? current : context;
  scan.deps = g_ptr_array_new ();
  scan.error = error;
  scan.warning = warning;
  scan.edits = edits;
  scan.lifted = lifted;
  if (error->len == 0)
    {
      scan_expr (&scan, context, context == NULL, TK_END);
      if (error->len == 0 && scan_peek (&scan)->kind != TK_END)
        g_string_append_printf (error, "unexpected '%s'", source + scan_peek (&scan)->start);
    }
  if (error->len > 0)
    {
      for (guint i = 0; i < edits->len; i++)
        g_free (g_array_index (edits, Edit, i).replacement);
      g_ptr_array_unref (scan.deps);
      _xform_add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\": %s", what, source, error->str);
      return NULL;
    }

  g_array_sort (edits, compare_edits);
  for (guint i = 0; i < edits->len; i++)
    {
      Edit *edit = &g_array_index (edits, Edit, i);
      if (edit->start >= at)
        {
          g_string_append_len (rewritten, source + at, edit->start - at);
          g_string_append (rewritten, edit->replacement);
          at = edit->end;
        }
      g_free (edit->replacement);
    }
  g_string_append (rewritten, source + at);

  /* ODK compares dates as dates: XPath 1.0 would turn both sides of
   * ". <= today()" into NaN (app/xpath-rewrite.c) */
  {
    g_autoptr(GError) date_error = NULL;
    g_autofree char *dated = clmrs_xpath_rewrite_comparisons (rewritten->str, &date_error);

    if (dated == NULL)
      {
        g_ptr_array_unref (scan.deps);
        _xform_add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\" does not compile: %s",
                            what, source, date_error->message);
        return NULL;
      }
    g_string_assign (rewritten, dated);
  }

  expr = g_new0 (Expr, 1);
  expr->source = g_strdup (source);
  expr->deps = scan.deps;
  expr->depends_all = scan.depends_all;
  g_string_truncate (loader->xpath_error, 0);
  expr->comp = xmlXPathCtxtCompile (loader->xpath, (const xmlChar *) rewritten->str);
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
