/* xform.c: the ODK XForms engine: load a form, fill it in, read its answers. */
#define G_LOG_DOMAIN "clmrs-xform"

#include "xform-private.h"

#include "assets.h"
#include "util.h"
#include "xpath-rewrite.h"

#include <libxml/parser.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-xform-error-quark, clmrs_xform_error)

/* ------------------------------------------------------------------ */
/* The form's parts                                                    */

typedef struct _NodeDef  NodeDef;
typedef struct _Bind     Bind;
typedef struct _BodyNode BodyNode;

/* A compiled expression and the instance nodes it reads. */
typedef struct {
  char              *source;
  xmlXPathCompExpr  *comp;
  GPtrArray         *deps;         /* NodeDef*, borrowed */
  gboolean           depends_all;
} Expr;

/* A piece of a label: literal text or an <output value=.../>. */
typedef struct {
  char *text;
  Expr *expr;
} Segment;

/* A label, hint or message: inline segments, or per itext language. */
typedef struct {
  GPtrArray  *plain;     /* Segment*, or NULL */
  GHashTable *by_lang;   /* language -> GPtrArray of Segment*, or NULL */
} Label;

/* One node of the primary instance, generically (no repeat indices). */
struct _NodeDef {
  char      *path;
  char      *name;
  NodeDef   *parent;
  GPtrArray *children;   /* NodeDef*, borrowed (all owned by the form) */
  guint      depth;      /* the root is 1 */
  guint      order;      /* document order */
  gboolean   repeat;
  Bind      *bind;
  BodyNode  *control;    /* the input/select/trigger bound to it */
  BodyNode  *repeat_body;
  xmlNode   *template;   /* in the form document */
};

struct _Bind {
  NodeDef       *def;
  int            line;
  char          *desc;
  ClmrsDataType  type;
  gboolean       typed;
  Expr          *relevant;
  Expr          *required;
  Expr          *constraint;
  Expr          *calculate;
  Expr          *readonly;
  Label         *constraint_msg;
  Label         *required_msg;
  char          *preload;
  char          *preload_params;
  char          *entity;
  char          *profile;
  char          *field;
  char          *id;
  guint          max_pixels;  /* orx:max-pixels: an image's longest edge, 0 if none */
  guint          state;   /* topological sort */
};

typedef struct {
  NodeDef  *target;
  Expr     *value;       /* NULL: literal */
  char     *literal;
  gboolean  first_load;
  gboolean  new_repeat;
  gboolean  geopoint;    /* odk:setgeopoint: the device's location, not a value */
  NodeDef  *trigger;     /* xforms-value-changed of this question, or NULL */
  NodeDef  *repeat;      /* the repeat whose body holds it, or NULL */
} SetValue;

typedef struct {
  char  *value;
  Label *label;
} Item;

typedef enum {
  BODY_GROUP,
  BODY_REPEAT,
  BODY_INPUT,
  BODY_SELECT1,
  BODY_SELECT,
  BODY_TRIGGER,
  BODY_RANGE,
  BODY_RANK,
  BODY_UPLOAD,
} BodyKind;

#define IS_CHOICE_KIND(kind) ((kind) == BODY_SELECT1 || (kind) == BODY_SELECT || (kind) == BODY_RANK)

struct _BodyNode {
  BodyKind   kind;
  NodeDef   *def;          /* NULL for a group without ref */
  int        line;
  Label     *label;
  Label     *hint;
  char      *appearance;
  GPtrArray *children;     /* BodyNode*, owned */
  GPtrArray *items;        /* Item*, owned; static choices */
  Expr      *itemset;
  Expr      *item_value;
  Expr      *item_label;
  Expr      *count;
  gboolean   no_add_remove;
  gboolean   randomize;    /* the itemset was randomize(itemset[, seed]) */
  GHashTable *filter_index; /* instance('x')/root/item[col = path]: col's value -> GPtrArray of items */
  Expr      *filter_value;  /* that path, evaluated at the question */
  Expr      *randomize_seed;
  double     range_start;  /* <range>: start, end and step */
  double     range_end;
  double     range_step;
  char      *mediatype;    /* <upload>: its mediatype, or NULL */
};

struct _ClmrsForm {
  gint        ref_count;
  char       *origin;
  xmlDoc     *doc;
  char       *id;
  char       *version;
  char       *title;
  GPtrArray  *languages;     /* char*, NULL-terminated */
  char       *default_lang;
  GHashTable *itext;         /* language -> (id -> xmlNode* <value>) */
  xmlNode    *primary;       /* root element of the primary instance */
  GHashTable *instances;     /* id -> <instance> element */
  GHashTable *defs;          /* path -> NodeDef*, owned */
  NodeDef    *root;
  GPtrArray  *binds;         /* Bind*, owned */
  GHashTable *binds_by_id;   /* bind @id -> Bind* */
  GPtrArray  *calc_order;    /* Bind*, dependencies first */
  GPtrArray  *relevance;     /* Bind* with relevant, document order */
  GHashTable *calc_dependents;     /* NodeDef* -> GPtrArray of Bind* */
  GHashTable *relevant_dependents; /* NodeDef* -> GPtrArray of Bind* */
  GPtrArray  *setvalues;     /* SetValue*, owned */
  GPtrArray  *counted;       /* BodyNode* repeats with jr:count */
  BodyNode   *body;
  GPtrArray  *namespaces;    /* prefix, uri, prefix, uri ... */
  NodeDef    *instance_id;
  char       *last_saved_id; /* the instance with src jr://instance/last-saved, or NULL */
  GPtrArray  *exprs;         /* Expr*, owned */
  GPtrArray  *labels;        /* Label*, owned */
};

struct _ClmrsFormSession {
  ClmrsForm        *form;
  xmlDoc           *doc;
  xmlXPathContext  *xpath;
  xmlNode          *current;
  char             *language;
  GHashTable       *nonrelevant;  /* xmlNode*: a relevant expression is false there */
  GHashTable       *stash;        /* leaf xmlNode* -> its value, while the leaf is not relevant */
  char             *instance_id;
  char             *location;     /* the device's geopoint, NULL until known */
  GHashTable       *awaiting_location; /* xmlNode*: setgeopoint targets fired before it was */
  GHashTable       *properties;   /* jr:preload="property" name -> value */
  GHashTable       *instances;    /* id -> <instance> owned by the session (jr://instance/last-saved) */
  xmlDoc           *last_saved;   /* holds them, or NULL */
};

static void
segment_free (Segment *segment)
{
  g_free (segment->text);
  g_free (segment);
}

static void
expr_free (Expr *expr)
{
  g_free (expr->source);
  if (expr->comp != NULL)
    xmlXPathFreeCompExpr (expr->comp);
  g_clear_pointer (&expr->deps, g_ptr_array_unref);
  g_free (expr);
}

static void
label_free (Label *label)
{
  g_clear_pointer (&label->plain, g_ptr_array_unref);
  g_clear_pointer (&label->by_lang, g_hash_table_unref);
  g_free (label);
}

static void
node_def_free (NodeDef *def)
{
  g_free (def->path);
  g_free (def->name);
  g_ptr_array_unref (def->children);
  g_free (def);
}

static void
bind_free (Bind *bind)
{
  g_free (bind->desc);
  g_free (bind->preload);
  g_free (bind->preload_params);
  g_free (bind->entity);
  g_free (bind->profile);
  g_free (bind->field);
  g_free (bind->id);
  g_free (bind);
}

static void
setvalue_free (SetValue *setvalue)
{
  g_free (setvalue->literal);
  g_free (setvalue);
}

static void
item_free (Item *item)
{
  g_free (item->value);
  g_free (item);
}

static void
body_node_free (BodyNode *node)
{
  if (node == NULL)
    return;
  g_free (node->appearance);
  g_free (node->mediatype);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->items, g_ptr_array_unref);
  g_clear_pointer (&node->filter_index, g_hash_table_unref);
  g_free (node);
}

static gboolean
is_ancestor_or_self (NodeDef *ancestor,
                     NodeDef *def)
{
  for (; def != NULL; def = def->parent)
    if (def == ancestor)
      return TRUE;
  return FALSE;
}

static gboolean
def_is_leaf (NodeDef *def)
{
  return def->children->len == 0;
}

static NodeDef *
def_child (NodeDef    *def,
           const char *name)
{
  for (guint i = 0; def != NULL && i < def->children->len; i++)
    {
      NodeDef *child = def->children->pdata[i];
      if (g_str_equal (child->name, name))
        return child;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Problems                                                            */

void
clmrs_form_problem_free (ClmrsFormProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->file);
  g_free (problem->node);
  g_free (problem->reason);
  g_free (problem);
}

/* Returns: (transfer full): "file:line: node: reason" (no line part when unknown). */
char *
clmrs_form_problem_to_string (const ClmrsFormProblem *problem)
{
  const char *kind;

  g_return_val_if_fail (problem != NULL, NULL);

  kind = problem->warning ? "warning: " : "";
  if (problem->line > 0)
    return g_strdup_printf ("%s:%d: %s: %s%s", problem->file, problem->line,
                            problem->node, kind, problem->reason);
  return g_strdup_printf ("%s: %s: %s%s", problem->file, problem->node, kind, problem->reason);
}

typedef struct {
  ClmrsForm        *form;
  GPtrArray        *problems;   /* ClmrsFormProblem* */
  GArray           *codes;      /* ClmrsXformError, parallel */
  xmlXPathContext  *xpath;      /* for compiling */
  GString          *xpath_error;
  ClmrsFormMediaFunc media;     /* external instances' files, or NULL */
  gpointer         media_data;
} Loader;

static void add_problem (Loader     *loader,
                         int         code,
                         int         line,
                         const char *node,
                         const char *format,
                         ...) G_GNUC_PRINTF (5, 6);
static void add_warning (Loader     *loader,
                         int         line,
                         const char *node,
                         const char *format,
                         ...) G_GNUC_PRINTF (4, 5);

static void
add_problem_va (Loader     *loader,
                int         code,
                gboolean    warning,
                int         line,
                const char *node,
                const char *format,
                va_list     args)
{
  ClmrsFormProblem *problem = g_new0 (ClmrsFormProblem, 1);

  problem->file = g_strdup (loader->form->origin);
  problem->line = line;
  problem->node = g_strdup (node);
  problem->reason = g_strdup_vprintf (format, args);
  problem->warning = warning;
  g_ptr_array_add (loader->problems, problem);
  g_array_append_val (loader->codes, code);
}

/* A problem that refuses the form. */
static void
add_problem (Loader     *loader,
             int         code,
             int         line,
             const char *node,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  add_problem_va (loader, code, FALSE, line, node, format, args);
  va_end (args);
}

/* Something `clmrs forms check` reports but ODK runs anyway (the form loads). */
static void
add_warning (Loader     *loader,
             int         line,
             const char *node,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  add_problem_va (loader, -1, TRUE, line, node, format, args);
  va_end (args);
}

static int
line_of (xmlNode *node)
{
  long line = node != NULL ? xmlGetLineNo (node) : 0;

  return line > 0 && line < G_MAXINT ? (int) line : 0;
}

static char *
get_attr (xmlNode    *node,
          const char *name)
{
  xmlChar *value = xmlGetNoNsProp (node, (const xmlChar *) name);
  char *copy = value != NULL ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

static char *
get_ns_attr (xmlNode    *node,
             const char *name,
             const char *ns)
{
  xmlChar *value = xmlGetNsProp (node, (const xmlChar *) name, (const xmlChar *) ns);
  char *copy = value != NULL ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

static gboolean
is_element (xmlNode    *node,
            const char *ns,
            const char *name)
{
  if (node == NULL || node->type != XML_ELEMENT_NODE || !xmlStrEqual (node->name, (const xmlChar *) name))
    return FALSE;
  if (ns == NULL)
    return TRUE;
  return node->ns != NULL && xmlStrEqual (node->ns->href, (const xmlChar *) ns);
}

static char *
qname_of (xmlNode *node)
{
  if (node->ns != NULL && node->ns->prefix != NULL)
    return g_strdup_printf ("%s:%s", node->ns->prefix, node->name);
  return g_strdup ((const char *) node->name);
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static char *
node_text (xmlNode *node)
{
  xmlChar *content = xmlNodeGetContent (node);
  char *copy = g_strdup (content != NULL ? (const char *) content : "");

  xmlFree (content);
  return copy;
}

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
                                      : def_child (def, name);
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
          scan->current != NULL && is_ancestor_or_self (def, scan->current) && scan->no_rewrite == 0)
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

static void
capture_xpath_error (void        *data,
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
static Expr *
compile_expr_lifted (Loader     *loader,
                     const char *source,
                     NodeDef    *context,
                     NodeDef    *current,
                     NodeDef    *lifted,
                     int         line,
                     const char *node,
                     const char *what);

static Expr *
compile_expr (Loader     *loader,
              const char *source,
              NodeDef    *context,
              NodeDef    *current,
              int         line,
              const char *node,
              const char *what)
{
  return compile_expr_lifted (loader, source, context, current, NULL, line, node, what);
}

/* compile_expr() for a jr:count: relative to the repeat @lifted (given as
 * @context), evaluated at its parent. */
static Expr *
compile_expr_lifted (Loader     *loader,
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

  if (is_blank (source))
    {
      add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s is empty", what);
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
      add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\": %s", what, source, error->str);
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
        add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\" does not compile: %s",
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
      add_problem (loader, CLMRS_XFORM_ERROR_XPATH, line, node, "%s \"%s\" does not compile: %s",
                   what, source, loader->xpath_error->len ? loader->xpath_error->str : "invalid expression");
      expr_free (expr);
      return NULL;
    }
  g_ptr_array_add (loader->form->exprs, expr);
  if (warning->len > 0)
    add_warning (loader, line, node, "%s \"%s\": %s; it reads as empty", what, source, warning->str);
  return expr;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static void append_segments (Loader     *loader,
                             xmlNode    *element,
                             NodeDef    *context,
                             const char *node,
                             GPtrArray  *segments);

static void
append_segments (Loader     *loader,
                 xmlNode    *element,
                 NodeDef    *context,
                 const char *node,
                 GPtrArray  *segments)
{
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
        {
          Segment *segment = g_new0 (Segment, 1);
          segment->text = g_strdup ((const char *) child->content);
          g_ptr_array_add (segments, segment);
        }
      else if (is_element (child, NULL, "output"))
        {
          g_autofree char *value = get_attr (child, "value");
          Expr *expr;

          if (value == NULL)
            value = get_attr (child, "ref");
          expr = compile_expr (loader, value, context, NULL, line_of (child), node, "output value");
          if (expr != NULL)
            {
              Segment *segment = g_new0 (Segment, 1);
              segment->expr = expr;
              g_ptr_array_add (segments, segment);
            }
        }
      else if (child->type == XML_ELEMENT_NODE)
        append_segments (loader, child, context, node, segments);
    }
}

/* The id in "jr:itext('id')", or NULL. */
static char *
itext_id_of (const char *ref)
{
  g_autoptr(GRegex) regex = g_regex_new ("^\\s*jr:itext\\(\\s*(['\"])(.*)\\1\\s*\\)\\s*$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (ref == NULL || !g_regex_match (regex, ref, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 2);
}

static Label *
label_new (Loader *loader)
{
  Label *label = g_new0 (Label, 1);

  g_ptr_array_add (loader->form->labels, label);
  return label;
}

/* Fills @label from the itext entries named @id; FALSE if there is none. */
static gboolean
label_from_itext (Loader     *loader,
                  Label      *label,
                  const char *id,
                  NodeDef    *context,
                  const char *node)
{
  label->by_lang = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i + 1 < loader->form->languages->len; i++)
    {
      const char *lang = loader->form->languages->pdata[i];
      GHashTable *texts = g_hash_table_lookup (loader->form->itext, lang);
      xmlNode *value = texts != NULL ? g_hash_table_lookup (texts, id) : NULL;

      if (value != NULL)
        {
          GPtrArray *segments = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
          append_segments (loader, value, context, node, segments);
          g_hash_table_insert (label->by_lang, (gpointer) lang, segments);
        }
    }
  return g_hash_table_size (label->by_lang) > 0;
}

/* A <label> or <hint>: inline text with outputs, or a jr:itext reference. */
static Label *
load_label (Loader     *loader,
            xmlNode    *element,
            NodeDef    *context,
            const char *node)
{
  g_autofree char *ref = get_attr (element, "ref");
  g_autofree char *id = itext_id_of (ref);
  Label *label = label_new (loader);

  if (id != NULL)
    {
      if (!label_from_itext (loader, label, id, context, node))
        add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), node,
                     "no itext text has id '%s'", id);
    }
  else if (ref != NULL)
    {
      Expr *expr = compile_expr (loader, ref, context, NULL, line_of (element), node, "label ref");
      label->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
      if (expr != NULL)
        {
          Segment *segment = g_new0 (Segment, 1);
          segment->expr = expr;
          g_ptr_array_add (label->plain, segment);
        }
    }
  else
    {
      label->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
      append_segments (loader, element, context, node, label->plain);
    }
  return label;
}

/* A jr:constraintMsg / jr:requiredMsg: literal text or jr:itext('id'). */
static Label *
load_message (Loader     *loader,
              const char *text,
              NodeDef    *context,
              int         line,
              const char *node)
{
  g_autofree char *id = itext_id_of (text);
  Label *label = label_new (loader);

  if (id != NULL)
    {
      if (!label_from_itext (loader, label, id, context, node))
        add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line, node, "no itext text has id '%s'", id);
    }
  else
    {
      Segment *segment = g_new0 (Segment, 1);
      segment->text = g_strdup (text);
      label->plain = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
      g_ptr_array_add (label->plain, segment);
    }
  return label;
}

static void
load_itext (Loader  *loader,
            xmlNode *itext)
{
  ClmrsForm *form = loader->form;

  for (xmlNode *translation = itext->children; translation != NULL; translation = translation->next)
    {
      g_autofree char *lang = NULL;
      g_autofree char *is_default = NULL;
      GHashTable *texts;

      if (!is_element (translation, NULL, "translation"))
        continue;
      lang = get_attr (translation, "lang");
      if (lang == NULL)
        {
          add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (translation), "translation",
                       "a translation has no lang");
          continue;
        }
      texts = g_hash_table_lookup (form->itext, lang);
      if (texts == NULL)
        {
          char *key = g_strdup (lang);
          texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (form->itext, key, texts);
          g_ptr_array_insert (form->languages, form->languages->len - 1, key);
        }
      is_default = get_attr (translation, "default");
      if (is_default != NULL && form->default_lang == NULL)
        form->default_lang = g_strdup (lang);

      for (xmlNode *text = translation->children; text != NULL; text = text->next)
        {
          g_autofree char *id = NULL;
          xmlNode *chosen = NULL;

          if (!is_element (text, NULL, "text"))
            continue;
          id = get_attr (text, "id");
          for (xmlNode *value = text->children; value != NULL; value = value->next)
            {
              g_autofree char *variant = NULL;
              if (!is_element (value, NULL, "value"))
                continue;
              variant = get_attr (value, "form");
              if (variant == NULL || g_str_equal (variant, "long"))
                {
                  chosen = value;
                  break;
                }
            }
          if (id != NULL && chosen != NULL)
            g_hash_table_replace (texts, g_steal_pointer (&id), chosen);
        }
    }
  if (form->default_lang == NULL && form->languages->len > 1)
    form->default_lang = g_strdup (form->languages->pdata[0]);
}

static NodeDef *
add_def (Loader  *loader,
         xmlNode *element,
         NodeDef *parent,
         guint   *order)
{
  ClmrsForm *form = loader->form;
  g_autofree char *name = qname_of (element);
  g_autofree char *path = g_strdup_printf ("%s/%s", parent ? parent->path : "", name);
  NodeDef *def = g_hash_table_lookup (form->defs, path);
  xmlAttr *template = xmlHasNsProp (element, (const xmlChar *) "template", (const xmlChar *) CLMRS_JR_NS);

  if (def == NULL)
    {
      def = g_new0 (NodeDef, 1);
      def->path = g_steal_pointer (&path);
      def->name = g_steal_pointer (&name);
      def->parent = parent;
      def->children = g_ptr_array_new ();
      def->depth = parent ? parent->depth + 1 : 1;
      def->order = (*order)++;
      def->template = element;
      g_hash_table_insert (form->defs, def->path, def);
      if (parent != NULL)
        g_ptr_array_add (parent->children, def);
    }
  if (template != NULL)
    {
      def->repeat = TRUE;
      def->template = element;
    }
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      add_def (loader, child, def, order);
  return def;
}

/* Normalises a reference (absolute, or relative to @scope) to a generic
 * path: predicates dropped, "." and ".." resolved. */
static char *
normalize_ref (const char *ref,
               NodeDef    *scope)
{
  g_autofree char *text = g_strstrip (g_strdup (ref));
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;
  int depth = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '[')
        depth++;
      else if (*p == ']')
        depth--;
      else if (depth == 0 && !g_ascii_isspace (*p))
        g_string_append_c (plain, *p);
    }
  if (plain->str[0] != '/' && scope != NULL)
    {
      g_auto(GStrv) base = g_strsplit (scope->path + 1, "/", -1);
      for (guint i = 0; base[i] != NULL; i++)
        g_ptr_array_add (steps, g_strdup (base[i]));
    }
  parts = g_strsplit (plain->str, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          if (steps->len == 0)
            return NULL;
          g_ptr_array_remove_index (steps, steps->len - 1);
        }
      else
        g_ptr_array_add (steps, g_strdup (parts[i]));
    }
  g_string_truncate (plain, 0);
  for (guint i = 0; i < steps->len; i++)
    g_string_append_printf (plain, "/%s", (char *) steps->pdata[i]);
  return g_strdup (plain->str);
}

static NodeDef *
lookup_def (ClmrsForm  *form,
            const char *ref,
            NodeDef    *scope)
{
  g_autofree char *path = NULL;

  if (ref == NULL)
    return NULL;
  path = normalize_ref (ref, scope);
  return path != NULL ? g_hash_table_lookup (form->defs, path) : NULL;
}

static gboolean
parse_type (const char    *text,
            ClmrsDataType *out)
{
  static const struct { const char *name; ClmrsDataType type; } types[] = {
    { "string", CLMRS_TYPE_STRING }, { "int", CLMRS_TYPE_INT }, { "integer", CLMRS_TYPE_INT },
    { "decimal", CLMRS_TYPE_DECIMAL }, { "double", CLMRS_TYPE_DECIMAL },
    { "boolean", CLMRS_TYPE_BOOLEAN }, { "date", CLMRS_TYPE_DATE }, { "time", CLMRS_TYPE_TIME },
    { "dateTime", CLMRS_TYPE_DATETIME }, { "select1", CLMRS_TYPE_SELECT1 },
    { "select", CLMRS_TYPE_SELECT }, { "geopoint", CLMRS_TYPE_GEOPOINT },
    { "barcode", CLMRS_TYPE_STRING }, { "odk:rank", CLMRS_TYPE_SELECT }, { "rank", CLMRS_TYPE_SELECT },
    { "binary", CLMRS_TYPE_BINARY }, { "geotrace", CLMRS_TYPE_GEOTRACE }, { "geoshape", CLMRS_TYPE_GEOSHAPE },
  };
  const char *name = text;

  if (g_str_has_prefix (text, "xsd:"))
    name = text + 4;
  else if (g_str_has_prefix (text, "xs:"))
    name = text + 3;
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (types[i].name, name))
      {
        *out = types[i].type;
        return TRUE;
      }
  return FALSE;
}

typedef struct {
  Bind    *bind;
  xmlNode *element;
} PendingBind;

typedef struct {
  xmlNode *element;
  NodeDef *scope;
} PendingSetValue;

static void
load_bind (Loader    *loader,
           xmlNode   *element,
           GArray    *pending)
{
  ClmrsForm *form = loader->form;
  g_autofree char *nodeset = get_attr (element, "nodeset");
  g_autofree char *type = get_attr (element, "type");
  g_autofree char *desc = NULL;
  NodeDef *def;
  Bind *bind;
  PendingBind entry;
  char *value;

  if (nodeset == NULL)
    nodeset = get_attr (element, "ref");
  desc = g_strdup_printf ("bind[@nodeset='%s']", nodeset ? nodeset : "");
  if (nodeset == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), "bind", "a bind has no nodeset");
      return;
    }
  /* A relative nodeset is read from the primary instance's root (XForms'
   * evaluation context for binds), else from above it ("data/age") */
  if (g_str_has_prefix (g_strstrip (nodeset), "/"))
    def = lookup_def (form, nodeset, NULL);
  else
    {
      g_autofree char *rooted = g_strconcat ("/", nodeset, NULL);
      def = lookup_def (form, nodeset, form->root);
      if (def == NULL)
        def = lookup_def (form, rooted, NULL);
    }
  if (def == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "%s is not a node of the primary instance", nodeset);
      return;
    }
  bind = def->bind;
  if (bind == NULL)
    {
      bind = g_new0 (Bind, 1);
      bind->def = def;
      bind->line = line_of (element);
      bind->desc = g_steal_pointer (&desc);
      def->bind = bind;
      g_ptr_array_add (form->binds, bind);
    }
  if (type != NULL)
    {
      if (!parse_type (g_strstrip (type), &bind->type))
        add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (element), bind->desc,
                     "type '%s' is not supported", type);
      bind->typed = TRUE;
    }
#define TAKE(field, value_expr) \
  if ((value = (value_expr)) != NULL) { g_free (bind->field); bind->field = value; }
  TAKE (preload, get_ns_attr (element, "preload", CLMRS_JR_NS));
  TAKE (preload_params, get_ns_attr (element, "preloadParams", CLMRS_JR_NS));
  TAKE (entity, get_ns_attr (element, "entity", CLMRS_CLMRS_NS));
  TAKE (profile, get_ns_attr (element, "profile", CLMRS_CLMRS_NS));
  TAKE (field, get_ns_attr (element, "field", CLMRS_CLMRS_NS));
  TAKE (id, get_attr (element, "id"));
#undef TAKE
  if (bind->id != NULL)
    g_hash_table_replace (form->binds_by_id, bind->id, bind);
  {
    g_autofree char *max_pixels = get_ns_attr (element, "max-pixels", CLMRS_ORX_NS);
    guint64 pixels = 0;

    if (max_pixels != NULL && !g_ascii_string_to_unsigned (g_strstrip (max_pixels), 10, 1, 65535, &pixels, NULL))
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), bind->desc,
                   "orx:max-pixels '%s' is not a number of pixels from 1 to 65535", max_pixels);
    else if (max_pixels != NULL)
      bind->max_pixels = (guint) pixels;
  }
  /* the spec's preloads are uid, timestamp, date and property; JavaRosa
   * leaves any other (its old "patient", "user", "context") empty */
  if (bind->preload != NULL && !g_str_equal (bind->preload, "uid") &&
      !g_str_equal (bind->preload, "timestamp") && !g_str_equal (bind->preload, "date") &&
      !g_str_equal (bind->preload, "property"))
    add_warning (loader, line_of (element), bind->desc,
                 "jr:preload '%s' is not an ODK preload; %s stays empty", bind->preload, def->path);
  else if (bind->preload != NULL && g_str_equal (bind->preload, "property") &&
           (bind->preload_params == NULL ||
            !g_strv_contains ((const char * const[]) { "deviceid", "email", "username", "phonenumber",
                                                       "subscriberid", "simserial", "uri:deviceid",
                                                       "uri:email", "uri:username", "uri:phonenumber",
                                                       "uri:subscriberid", "uri:simserial", NULL },
                              bind->preload_params)))
    add_warning (loader, line_of (element), bind->desc,
                 "jr:preload 'property' with jr:preloadParams '%s' is not an ODK property; %s stays empty",
                 bind->preload_params ? bind->preload_params : "", def->path);
  entry.bind = bind;
  entry.element = element;
  g_array_append_val (pending, entry);
}

static void
compile_bind (Loader  *loader,
              Bind    *bind,
              xmlNode *element)
{
  static const char *names[] = { "relevant", "required", "constraint", "calculate", "readonly" };
  Expr **slots[] = { &bind->relevant, &bind->required, &bind->constraint, &bind->calculate, &bind->readonly };
  g_autofree char *constraint_msg = get_ns_attr (element, "constraintMsg", CLMRS_JR_NS);
  g_autofree char *required_msg = get_ns_attr (element, "requiredMsg", CLMRS_JR_NS);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *source = get_attr (element, names[i]);
      if (source != NULL)
        {
          Expr *expr = compile_expr (loader, source, bind->def, NULL, line_of (element), bind->desc, names[i]);
          if (expr != NULL)
            *slots[i] = expr;
        }
    }
  if (constraint_msg != NULL)
    bind->constraint_msg = load_message (loader, constraint_msg, bind->def, line_of (element), bind->desc);
  if (required_msg != NULL)
    bind->required_msg = load_message (loader, required_msg, bind->def, line_of (element), bind->desc);
  if (bind->calculate != NULL && !def_is_leaf (bind->def))
    add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), bind->desc,
                 "calculate on %s, which is a group", bind->def->path);
}

static void
load_setvalue (Loader  *loader,
               xmlNode *element,
               NodeDef *scope,
               NodeDef *control)
{
  ClmrsForm *form = loader->form;
  g_autofree char *ref = get_attr (element, "ref");
  g_autofree char *event = get_attr (element, "event");
  g_autofree char *value = get_attr (element, "value");
  gboolean geopoint = xmlStrEqual (element->name, (const xmlChar *) "setgeopoint");
  const char *action = geopoint ? "setgeopoint" : "setvalue";
  g_autofree char *desc = g_strdup_printf ("%s[@ref='%s']", action, ref ? ref : "");
  g_auto(GStrv) events = NULL;
  SetValue *setvalue;
  NodeDef *target;

  if (ref == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), action, "a %s has no ref", action);
      return;
    }
  target = lookup_def (form, ref, scope);
  if (target == NULL || !def_is_leaf (target))
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "%s is not a leaf of the primary instance", ref);
      return;
    }
  setvalue = g_new0 (SetValue, 1);
  setvalue->target = target;
  setvalue->geopoint = geopoint;
  for (NodeDef *up = scope; up != NULL && setvalue->repeat == NULL; up = up->parent)
    if (up->repeat)
      setvalue->repeat = up;
  events = g_strsplit_set (event ? event : "", " \t\n", -1);
  for (guint i = 0; events[i] != NULL; i++)
    {
      if (events[i][0] == '\0')
        continue;
      if (g_str_equal (events[i], "odk-instance-first-load") || g_str_equal (events[i], "xforms-ready") ||
          g_str_equal (events[i], "odk-instance-load"))
        setvalue->first_load = TRUE;
      else if (g_str_equal (events[i], "odk-new-repeat"))
        setvalue->new_repeat = TRUE;
      else if (g_str_equal (events[i], "xforms-value-changed") && control != NULL)
        setvalue->trigger = control;
      else if (g_str_equal (events[i], "xforms-value-changed"))
        add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (element), desc,
                     "event 'xforms-value-changed' is only supported inside a control");
      else
        add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (element), desc,
                     "event '%s' is not supported", events[i]);
    }
  if (!setvalue->first_load && !setvalue->new_repeat && setvalue->trigger == NULL)
    add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (element), desc, "a %s has no supported event", action);
  if (geopoint)
    ;
  else if (value != NULL)
    setvalue->value = compile_expr (loader, value, target, NULL, line_of (element), desc, "value");
  else
    setvalue->literal = node_text (element);
  g_ptr_array_add (form->setvalues, setvalue);
}

/* TRUE when @source is one call randomize(NODES[, SEED]); its arguments
 * text goes to @nodes and @seed (NULL without one). */
static gboolean
split_randomize (const char  *source,
                 char       **nodes,
                 char       **seed)
{
  g_autofree char *text = g_strstrip (g_strdup (source));
  const char *p = text + strlen ("randomize");
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  const char *arg_start;
  int depth = 0;
  char quote = 0;

  if (!g_str_has_prefix (text, "randomize"))
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '(')
    return FALSE;
  arg_start = ++p;
  for (; *p != '\0'; p++)
    {
      if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
        }
      else if (*p == '\'' || *p == '"')
        quote = *p;
      else if (*p == '(' || *p == '[')
        depth++;
      else if ((*p == ']' || *p == ')') && depth > 0)
        depth--;
      else if (*p == ',' && depth == 0)
        {
          g_ptr_array_add (args, g_strndup (arg_start, p - arg_start));
          arg_start = p + 1;
        }
      else if (*p == ')')
        break;
    }
  if (*p != ')' || p[1] != '\0')
    return FALSE;   /* randomize(...) is only part of the expression */
  g_ptr_array_add (args, g_strndup (arg_start, p - arg_start));
  if (args->len > 2)
    return FALSE;
  *nodes = g_strdup (args->pdata[0]);
  *seed = args->len == 2 ? g_strdup (args->pdata[1]) : NULL;
  return TRUE;
}

/* XLSForm's choice filter on a list, instance('x')/root/item[col = PATH]
 * with PATH a plain path from current() or the root: the items are indexed
 * by col once, at load, so filtering a 10,000-row list looks one value up
 * instead of testing every row (choices_of()).  Anything else is left to
 * XPath. */
static void
index_itemset (Loader     *loader,
               BodyNode   *node,
               const char *source,
               int         line,
               const char *desc)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *id = NULL;
  g_autofree char *column = NULL;
  g_autofree char *path = NULL;
  const char *rest;
  xmlNode *instance;
  xmlNode *root = NULL;

  if (node->itemset == NULL)
    return;
  regex = g_regex_new ("^\\s*instance\\(\\s*'([^']+)'\\s*\\)\\s*/\\s*root\\s*/\\s*item\\s*\\["
                       "\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*=\\s*([^][\"']+?)\\s*\\]\\s*$", 0, 0, NULL);
  if (!g_regex_match (regex, source, 0, &match))
    return;
  id = g_match_info_fetch (match, 1);
  column = g_match_info_fetch (match, 2);
  path = g_match_info_fetch (match, 3);
  if (g_str_has_prefix (path, "current()"))
    rest = path + strlen ("current()");
  else if (path[0] == '/')
    rest = path;
  else
    return;
  if (strpbrk (rest, "()=<>!|+*, ") != NULL || strstr (rest, " div ") != NULL)
    return;
  instance = g_hash_table_lookup (loader->form->instances, id);
  for (xmlNode *child = instance != NULL ? instance->children : NULL; child != NULL && root == NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      root = child;
  if (root == NULL || !xmlStrEqual (root->name, (const xmlChar *) "root"))
    return;
  node->filter_value = compile_expr (loader, path, node->def, NULL, line, desc, "itemset filter");
  if (node->filter_value == NULL)
    return;
  node->filter_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  for (xmlNode *item = root->children; item != NULL; item = item->next)
    {
      if (item->type != XML_ELEMENT_NODE || !xmlStrEqual (item->name, (const xmlChar *) "item"))
        continue;
      for (xmlNode *cell = item->children; cell != NULL; cell = cell->next)
        {
          g_autofree char *value = NULL;
          GPtrArray *items;

          if (cell->type != XML_ELEMENT_NODE || !xmlStrEqual (cell->name, (const xmlChar *) column))
            continue;
          value = node_text (cell);
          items = g_hash_table_lookup (node->filter_index, value);
          if (items == NULL)
            {
              items = g_ptr_array_new ();
              g_hash_table_insert (node->filter_index, g_strdup (value), items);
            }
          if (items->len == 0 || items->pdata[items->len - 1] != item)
            g_ptr_array_add (items, item);
        }
    }
}

/* A number attribute of <range>; FALSE after adding a problem. */
static gboolean
range_number (Loader     *loader,
              xmlNode    *element,
              const char *desc,
              const char *name,
              double     *out)
{
  g_autofree char *text = get_attr (element, name);
  char *end = NULL;

  if (text != NULL)
    *out = g_ascii_strtod (g_strstrip (text), &end);
  if (text == NULL || end == text || *end != '\0' || !isfinite (*out))
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "a range needs a number in %s, not '%s'", name, text ? text : "");
      return FALSE;
    }
  return TRUE;
}

/* <range start end step>: a number from start to end (either way round)
 * in steps of step; the bind's type says int or decimal. */
static void
load_range (Loader     *loader,
            xmlNode    *element,
            BodyNode   *node,
            const char *desc)
{
  ClmrsDataType type = node->def->bind != NULL ? node->def->bind->type : CLMRS_TYPE_STRING;

  if (!range_number (loader, element, desc, "start", &node->range_start) ||
      !range_number (loader, element, desc, "end", &node->range_end) ||
      !range_number (loader, element, desc, "step", &node->range_step))
    return;
  if (node->range_step <= 0 || node->range_step > fabs (node->range_end - node->range_start))
    add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                 "a range's step must be above 0 and at most end - start");
  if (type != CLMRS_TYPE_INT && type != CLMRS_TYPE_DECIMAL)
    add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                 "a range is bound to an int or a decimal");
}

static BodyNode *
body_node_new (BodyKind  kind,
               xmlNode  *element)
{
  BodyNode *node = g_new0 (BodyNode, 1);

  node->kind = kind;
  node->line = line_of (element);
  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) body_node_free);
  node->appearance = get_attr (element, "appearance");
  return node;
}

static void load_body_children (Loader   *loader,
                                xmlNode  *element,
                                BodyNode *parent,
                                NodeDef  *scope);

static void
load_control (Loader   *loader,
              xmlNode  *element,
              BodyKind  kind,
              BodyNode *parent,
              NodeDef  *scope)
{
  ClmrsForm *form = loader->form;
  g_autofree char *ref = get_attr (element, "ref");
  g_autofree char *bind_id = get_attr (element, "bind");
  g_autofree char *desc = NULL;
  NodeDef *def = NULL;
  BodyNode *node;

  if (ref == NULL && bind_id != NULL)
    {
      Bind *bind = g_hash_table_lookup (form->binds_by_id, bind_id);
      if (bind != NULL)
        def = bind->def;
    }
  else if (ref != NULL)
    def = lookup_def (form, ref, scope);
  desc = g_strdup_printf ("%s[@ref='%s']", element->name, ref ? ref : (bind_id ? bind_id : ""));
  if (def == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   ref || bind_id ? "%s is not a node of the primary instance" : "the control has no ref%s",
                   ref ? ref : (bind_id ? bind_id : ""));
      return;
    }
  if (!def_is_leaf (def))
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "%s is a group, not a question", def->path);
      return;
    }
  node = body_node_new (kind, element);
  node->def = def;
  if (def->control == NULL)
    def->control = node;
  g_ptr_array_add (parent->children, node);

  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type != XML_ELEMENT_NODE)
        continue;
      if (is_element (child, NULL, "label"))
        node->label = load_label (loader, child, def, desc);
      else if (is_element (child, NULL, "hint"))
        node->hint = load_label (loader, child, def, desc);
      else if (is_element (child, NULL, "setvalue") || is_element (child, CLMRS_ODK_NS, "setgeopoint"))
        load_setvalue (loader, child, scope, def);
      else if (is_element (child, NULL, "item") && IS_CHOICE_KIND (kind))
        {
          Item *item = g_new0 (Item, 1);
          for (xmlNode *part = child->children; part != NULL; part = part->next)
            if (is_element (part, NULL, "value"))
              item->value = g_strstrip (node_text (part));
            else if (is_element (part, NULL, "label"))
              item->label = load_label (loader, part, def, desc);
          if (node->items == NULL)
            node->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
          g_ptr_array_add (node->items, item);
          if (item->value == NULL || item->value[0] == '\0' || strchr (item->value, ' ') != NULL)
            add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (child), desc,
                         "a choice value must be one word, not '%s'", item->value ? item->value : "");
        }
      else if (is_element (child, NULL, "itemset") && IS_CHOICE_KIND (kind))
        {
          g_autofree char *nodeset = get_attr (child, "nodeset");
          g_autofree char *shuffled = NULL;
          g_autofree char *seed = NULL;

          /* randomize() around an itemset is the engine's (as JavaRosa's
           * ItemsetBinding): libxml2 returns node-sets in document order */
          if (nodeset != NULL && split_randomize (nodeset, &shuffled, &seed))
            {
              node->randomize = TRUE;
              node->itemset = compile_expr (loader, shuffled, def, NULL, line_of (child), desc, "itemset nodeset");
              index_itemset (loader, node, shuffled, line_of (child), desc);
              if (seed != NULL)
                node->randomize_seed = compile_expr (loader, seed, def, NULL, line_of (child), desc, "randomize seed");
            }
          else
            {
              node->itemset = compile_expr (loader, nodeset, def, NULL, line_of (child), desc, "itemset nodeset");
              index_itemset (loader, node, nodeset, line_of (child), desc);
            }
          for (xmlNode *part = child->children; part != NULL; part = part->next)
            {
              g_autofree char *part_ref = NULL;
              if (part->type != XML_ELEMENT_NODE)
                continue;
              part_ref = get_attr (part, "ref");
              if (is_element (part, NULL, "value"))
                node->item_value = compile_expr (loader, part_ref, NULL, def, line_of (part), desc, "itemset value");
              else if (is_element (part, NULL, "label"))
                node->item_label = compile_expr (loader, part_ref, NULL, def, line_of (part), desc, "itemset label");
            }
          if (node->item_value == NULL || node->item_label == NULL)
            add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (child), desc,
                         "an itemset needs a value ref and a label ref");
        }
      else if (!is_element (child, NULL, "help") && !is_element (child, NULL, "alert"))
        add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (child), desc,
                     "<%s> inside a control is not supported", child->name);
    }
  if (IS_CHOICE_KIND (kind) && node->items == NULL && node->itemset == NULL)
    add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc, "a select has no choices");
  if (kind == BODY_RANGE)
    load_range (loader, element, node, desc);
  if (kind == BODY_UPLOAD)
    {
      g_autofree char *accept = get_attr (element, "accept");

      /* the spec: accept, when given, wins over mediatype */
      node->mediatype = accept != NULL ? g_steal_pointer (&accept) : get_attr (element, "mediatype");
      if (def->bind == NULL || def->bind->type != CLMRS_TYPE_BINARY)
        add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                     "an <upload> needs a bind of type binary on %s", def->path);
    }
}

static void
load_group (Loader   *loader,
            xmlNode  *element,
            BodyKind  kind,
            BodyNode *parent,
            NodeDef  *scope)
{
  ClmrsForm *form = loader->form;
  g_autofree char *ref = get_attr (element, kind == BODY_REPEAT ? "nodeset" : "ref");
  g_autofree char *desc = NULL;
  NodeDef *def = NULL;
  BodyNode *node;

  desc = g_strdup_printf ("%s[@%s='%s']", element->name, kind == BODY_REPEAT ? "nodeset" : "ref", ref ? ref : "");
  if (ref != NULL)
    {
      def = lookup_def (form, ref, scope);
      if (def == NULL)
        {
          add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                       "%s is not a node of the primary instance", ref);
          return;
        }
    }
  else if (kind == BODY_REPEAT)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), "repeat", "a repeat has no nodeset");
      return;
    }
  node = body_node_new (kind, element);
  node->def = def;
  g_ptr_array_add (parent->children, node);
  if (kind == BODY_REPEAT)
    {
      g_autofree char *count = get_ns_attr (element, "count", CLMRS_JR_NS);
      g_autofree char *fixed = get_ns_attr (element, "noAddRemove", CLMRS_JR_NS);

      if (def->parent == NULL)
        add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc, "the instance root cannot repeat");
      def->repeat = TRUE;
      def->repeat_body = node;
      if (count != NULL && def->parent != NULL)
        {
          node->count = compile_expr_lifted (loader, count, def, def->parent, def, line_of (element), desc, "jr:count");
          if (node->count != NULL)
            g_ptr_array_add (form->counted, node);
        }
      node->no_add_remove = fixed != NULL && (g_str_has_prefix (fixed, "true") || g_str_equal (fixed, "1"));
    }
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (is_element (child, NULL, "label"))
        node->label = load_label (loader, child, def ? def : scope, desc);
      else if (is_element (child, NULL, "hint"))
        node->hint = load_label (loader, child, def ? def : scope, desc);
    }
  load_body_children (loader, element, node, def ? def : scope);
}

static void
load_body_children (Loader   *loader,
                    xmlNode  *element,
                    BodyNode *parent,
                    NodeDef  *scope)
{
  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      const char *name = (const char *) child->name;
      gboolean xforms;

      if (child->type != XML_ELEMENT_NODE)
        continue;
      xforms = child->ns == NULL || xmlStrEqual (child->ns->href, (const xmlChar *) CLMRS_XFORMS_NS);
      if (is_element (child, CLMRS_ODK_NS, "setvalue") || is_element (child, CLMRS_ODK_NS, "setgeopoint"))
        load_setvalue (loader, child, scope, NULL);
      else if (is_element (child, CLMRS_ODK_NS, "rank"))
        load_control (loader, child, BODY_RANK, parent, scope);
      else if (!xforms)
        {
          g_autofree char *qname = qname_of (child);
          add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (child), qname,
                       "the control <%s> is not supported", qname);
        }
      else if (g_str_equal (name, "label") || g_str_equal (name, "hint"))
        {
          if (parent->kind != BODY_GROUP && parent->kind != BODY_REPEAT)
            add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (child), name, "a <%s> outside a control", name);
        }
      else if (g_str_equal (name, "group"))
        load_group (loader, child, BODY_GROUP, parent, scope);
      else if (g_str_equal (name, "repeat"))
        load_group (loader, child, BODY_REPEAT, parent, scope);
      else if (g_str_equal (name, "input"))
        load_control (loader, child, BODY_INPUT, parent, scope);
      else if (g_str_equal (name, "select1"))
        load_control (loader, child, BODY_SELECT1, parent, scope);
      else if (g_str_equal (name, "select"))
        load_control (loader, child, BODY_SELECT, parent, scope);
      else if (g_str_equal (name, "trigger"))
        load_control (loader, child, BODY_TRIGGER, parent, scope);
      else if (g_str_equal (name, "range"))
        load_control (loader, child, BODY_RANGE, parent, scope);
      else if (g_str_equal (name, "upload"))
        load_control (loader, child, BODY_UPLOAD, parent, scope);
      else if (g_str_equal (name, "setvalue"))
        load_setvalue (loader, child, scope, NULL);
      else
        add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (child), name,
                     "the control <%s> is not supported", name);
    }
}

static void
visit_calculation (Loader     *loader,
                   GHashTable *by_def,
                   Bind       *bind,
                   GPtrArray  *stack)
{
  bind->state = 1;
  g_ptr_array_add (stack, bind);
  for (guint i = 0; i < bind->calculate->deps->len; i++)
    {
      Bind *dep = g_hash_table_lookup (by_def, bind->calculate->deps->pdata[i]);

      if (dep == NULL)
        continue;
      if (dep->state == 1)
        {
          g_autoptr(GString) cycle = g_string_new (NULL);
          guint from = 0;

          g_ptr_array_find (stack, dep, &from);
          for (guint j = from; j < stack->len; j++)
            g_string_append_printf (cycle, "%s -> ", ((Bind *) stack->pdata[j])->def->path);
          g_string_append (cycle, dep->def->path);
          if (dep == bind)
            add_problem (loader, CLMRS_XFORM_ERROR_CYCLE, dep->line, dep->desc,
                         "calculate of %s refers to itself", dep->def->path);
          else
            add_problem (loader, CLMRS_XFORM_ERROR_CYCLE, dep->line, dep->desc,
                         "calculations form a cycle: %s", cycle->str);
        }
      else if (dep->state == 0)
        visit_calculation (loader, by_def, dep, stack);
    }
  g_ptr_array_remove_index (stack, stack->len - 1);
  bind->state = 2;
  if (!bind->calculate->depends_all)
    g_ptr_array_add (loader->form->calc_order, bind);
}

static void
add_dependents (GHashTable *map,
                Expr       *expr,
                Bind       *bind)
{
  for (guint i = 0; expr != NULL && i < expr->deps->len; i++)
    {
      GPtrArray *list = g_hash_table_lookup (map, expr->deps->pdata[i]);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (map, expr->deps->pdata[i], list);
        }
      if (!g_ptr_array_find (list, bind, NULL))
        g_ptr_array_add (list, bind);
    }
}

static int
compare_bind_order (gconstpointer a,
                    gconstpointer b)
{
  const Bind *x = *(Bind * const *) a;
  const Bind *y = *(Bind * const *) b;

  return (int) x->def->order - (int) y->def->order;
}

static void
order_binds (Loader *loader)
{
  ClmrsForm *form = loader->form;
  g_autoptr(GHashTable) by_def = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GPtrArray) sorted = g_ptr_array_copy (form->binds, NULL, NULL);

  g_ptr_array_set_free_func (sorted, NULL);
  g_ptr_array_sort (sorted, compare_bind_order);
  for (guint i = 0; i < sorted->len; i++)
    {
      Bind *bind = sorted->pdata[i];
      if (bind->calculate != NULL)
        g_hash_table_insert (by_def, bind->def, bind);
    }
  for (guint i = 0; i < sorted->len; i++)
    {
      Bind *bind = sorted->pdata[i];
      if (bind->calculate != NULL && bind->state == 0)
        visit_calculation (loader, by_def, bind, stack);
    }
  for (guint i = 0; i < sorted->len; i++)
    {
      Bind *bind = sorted->pdata[i];
      if (bind->calculate != NULL && bind->calculate->depends_all)
        g_ptr_array_add (form->calc_order, bind);
      if (bind->calculate != NULL)
        add_dependents (form->calc_dependents, bind->calculate, bind);
      if (bind->relevant != NULL)
        {
          g_ptr_array_add (form->relevance, bind);
          add_dependents (form->relevant_dependents, bind->relevant, bind);
          if (g_ptr_array_find (bind->relevant->deps, bind->def, NULL))
            add_problem (loader, CLMRS_XFORM_ERROR_CYCLE, bind->line, bind->desc,
                         "relevant of %s refers to itself", bind->def->path);
        }
    }
}

static ClmrsForm *
form_new (const char *origin)
{
  ClmrsForm *form = g_new0 (ClmrsForm, 1);

  form->ref_count = 1;
  form->origin = g_strdup (origin);
  form->version = g_strdup ("");
  form->title = g_strdup ("");
  form->languages = g_ptr_array_new ();
  g_ptr_array_add (form->languages, NULL);
  form->itext = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  form->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  form->defs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) node_def_free);
  form->binds = g_ptr_array_new_with_free_func ((GDestroyNotify) bind_free);
  form->binds_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  form->calc_order = g_ptr_array_new ();
  form->relevance = g_ptr_array_new ();
  form->calc_dependents = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  form->relevant_dependents = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  form->setvalues = g_ptr_array_new_with_free_func ((GDestroyNotify) setvalue_free);
  form->counted = g_ptr_array_new ();
  form->namespaces = g_ptr_array_new_with_free_func (g_free);
  form->exprs = g_ptr_array_new_with_free_func ((GDestroyNotify) expr_free);
  form->labels = g_ptr_array_new_with_free_func ((GDestroyNotify) label_free);
  return form;
}

static void
collect_namespaces (ClmrsForm *form,
                    xmlNode   *node)
{
  for (xmlNs *ns = node != NULL ? node->nsDef : NULL; ns != NULL; ns = ns->next)
    {
      gboolean known = FALSE;
      if (ns->prefix == NULL)
        continue;
      for (guint i = 0; i + 1 < form->namespaces->len; i += 2)
        known |= g_str_equal (form->namespaces->pdata[i], (const char *) ns->prefix);
      if (known)
        continue;
      g_ptr_array_add (form->namespaces, g_strdup ((const char *) ns->prefix));
      g_ptr_array_add (form->namespaces, g_strdup ((const char *) ns->href));
    }
}

static void
register_namespaces (ClmrsForm       *form,
                     xmlXPathContext *context)
{
  xmlXPathRegisterNs (context, (const xmlChar *) "jr", (const xmlChar *) CLMRS_JR_NS);
  for (guint i = 0; i + 1 < form->namespaces->len; i += 2)
    xmlXPathRegisterNs (context, form->namespaces->pdata[i], form->namespaces->pdata[i + 1]);
}

static xmlNode *
first_child (xmlNode    *parent,
             const char *name)
{
  for (xmlNode *child = parent != NULL ? parent->children : NULL; child != NULL; child = child->next)
    if (is_element (child, NULL, name))
      return child;
  return NULL;
}

static void remove_templates (xmlNode *node);

/* An <instance src="..."> of the model: jr://file/NAME and
 * jr://file-csv/NAME through the loader's media resolver,
 * jr://instance/last-saved a blank copy of the primary instance (a session
 * given the last saved submission reads that instead).  Returns FALSE after
 * adding a problem. */
static gboolean
load_external_instance (Loader     *loader,
                        xmlNode    *element,
                        const char *id,
                        const char *src)
{
  ClmrsForm *form = loader->form;
  g_autofree char *desc = g_strdup_printf ("instance[@id='%s']", id);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = NULL;
  gboolean csv = FALSE;
  xmlNode *root;

  if (g_str_equal (src, "jr://instance/last-saved"))
    {
      g_free (form->last_saved_id);
      form->last_saved_id = g_strdup (id);
      return TRUE;   /* filled once the primary instance is known */
    }
  if (g_str_has_prefix (src, "jr://file-csv/"))
    {
      name = src + strlen ("jr://file-csv/");
      csv = TRUE;
    }
  else if (g_str_has_prefix (src, "jr://file/"))
    name = src + strlen ("jr://file/");
  if (name == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (element), desc,
                   "src \"%s\" is not supported: an external instance is jr://file/NAME.xml, "
                   "jr://file-csv/NAME.csv or jr://instance/last-saved", src);
      return FALSE;
    }
  if (name[0] == '\0' || name[0] == '.' || strchr (name, '/') != NULL || strchr (name, '\\') != NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "src \"%s\" does not name a media file (a plain file name)", src);
      return FALSE;
    }
  if (g_str_has_suffix (name, ".geojson"))
    {
      add_problem (loader, CLMRS_XFORM_ERROR_UNSUPPORTED, line_of (element), desc,
                   "GeoJSON instances (%s) are not supported", name);
      return FALSE;
    }
  if (loader->media == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "the form needs the media file %s, and none was given with it", name);
      return FALSE;
    }
  bytes = loader->media (name, loader->media_data, &error);
  if (bytes == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "the media file %s cannot be read: %s", name, error ? error->message : "not found");
      return FALSE;
    }
  root = _clmrs_xform_media_instance (form->doc, name, csv, bytes, &error);
  if (root == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (element), desc,
                   "the media file %s: %s", name, error->message);
      return FALSE;
    }
  while (element->children != NULL)
    {
      xmlNode *old = element->children;
      xmlUnlinkNode (old);
      xmlFreeNode (old);
    }
  xmlAddChild (element, root);
  return TRUE;
}

/* The blank form as jr://instance/last-saved reads it when the device has
 * no saved submission of the form yet. */
static void
fill_last_saved (ClmrsForm *form)
{
  xmlNode *element;
  xmlNode *copy;

  if (form->last_saved_id == NULL)
    return;
  element = g_hash_table_lookup (form->instances, form->last_saved_id);
  if (element == NULL || form->primary == NULL)
    return;
  copy = xmlDocCopyNode (form->primary, form->doc, 1);
  remove_templates (copy);
  xmlAddChild (element, copy);
}

typedef struct {
  char *message;
  int   line;
} ParseError;

/* Keeps the parser's first error (the later ones follow from it), silently. */
static void
keep_first_parse_error (void        *data,
                        xmlErrorPtr  error)
{
  xmlParserCtxt *parser = data;
  ParseError *first = parser != NULL ? parser->_private : NULL;

  if (first == NULL || first->message != NULL || error == NULL || error->level < XML_ERR_ERROR)
    return;
  first->message = g_strdup (error->message ? error->message : "error");
  first->line = error->line;
}

static void
load_form (Loader     *loader,
           const char *data,
           gsize       length)
{
  ClmrsForm *form = loader->form;
  xmlParserCtxt *parser;
  xmlNode *html, *head, *model, *body, *title, *itext;
  xmlNode *primary_instance = NULL;
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (PendingBind));
  g_autoptr(GArray) model_setvalues = g_array_new (FALSE, FALSE, sizeof (PendingSetValue));
  ParseError first_error = { NULL, 0 };
  guint order = 0;

  if (length > G_MAXINT)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_PARSE, 0, "xml", "the file is too large");
      return;
    }
  parser = xmlNewParserCtxt ();
  if (parser == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_PARSE, 0, "xml", "out of memory");
      return;
    }
  parser->sax->serror = keep_first_parse_error;
  parser->_private = &first_error;
  form->doc = xmlCtxtReadMemory (parser, data, (int) length, form->origin, NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOWARNING);
  if (form->doc == NULL || !parser->wellFormed)
    {
      xmlErrorPtr error = xmlCtxtGetLastError (parser);
      const char *text = first_error.message ? first_error.message
                       : error && error->message ? error->message : "no document";
      g_autofree char *message = g_strstrip (g_strdup (text));
      add_problem (loader, CLMRS_XFORM_ERROR_PARSE, first_error.message ? first_error.line : error ? error->line : 0,
                   "xml", "the XML is not well formed: %s", message);
      g_free (first_error.message);
      xmlFreeParserCtxt (parser);
      return;
    }
  g_free (first_error.message);
  xmlFreeParserCtxt (parser);

  html = xmlDocGetRootElement (form->doc);
  if (!is_element (html, NULL, "html"))
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (html), html ? (const char *) html->name : "xml",
                   "the root element is not h:html");
      return;
    }
  head = first_child (html, "head");
  body = first_child (html, "body");
  model = first_child (head, "model");
  title = first_child (head, "title");
  if (title != NULL)
    {
      g_free (form->title);
      form->title = g_strstrip (node_text (title));
    }
  if (model == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (head ? head : html), "h:head",
                   "the form has no model");
      return;
    }
  collect_namespaces (form, html);
  collect_namespaces (form, head);
  collect_namespaces (form, model);

  for (xmlNode *child = model->children; child != NULL; child = child->next)
    {
      g_autofree char *id = NULL;
      g_autofree char *src = NULL;
      if (!is_element (child, NULL, "instance"))
        continue;
      _clmrs_xml_strip_default_namespace (child->children);
      id = get_attr (child, "id");
      src = get_attr (child, "src");
      if (src != NULL && primary_instance != NULL && id != NULL)
        {
          if (load_external_instance (loader, child, id, src))
            g_hash_table_replace (form->instances, g_steal_pointer (&id), child);
        }
      else if (src != NULL)
        add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (child), "instance",
                     "an external instance (src=\"%s\") needs an id and cannot be the primary instance", src);
      else if (primary_instance == NULL)
        primary_instance = child;
      else if (id == NULL)
        add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (child), "instance",
                     "a secondary instance has no id");
      else
        g_hash_table_replace (form->instances, g_steal_pointer (&id), child);
    }
  if (primary_instance == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (model), "model", "the model has no instance");
      return;
    }
  for (xmlNode *child = primary_instance->children; child != NULL && form->primary == NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      form->primary = child;
  if (form->primary == NULL)
    {
      add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (primary_instance), "instance",
                   "the primary instance is empty");
      return;
    }
  collect_namespaces (form, form->primary);
  {
    char *id = get_attr (form->primary, "id");
    char *version = get_attr (form->primary, "version");
    form->id = id != NULL ? id : g_strdup ((const char *) form->primary->name);
    if (version != NULL)
      {
        g_free (form->version);
        form->version = version;
      }
  }
  fill_last_saved (form);
  form->root = add_def (loader, form->primary, NULL, &order);
  if (form->root->repeat)
    add_problem (loader, CLMRS_XFORM_ERROR_INVALID, line_of (form->primary), form->root->path,
                 "the instance root cannot be a repeat template");

  loader->xpath = xmlXPathNewContext (form->doc);
  register_namespaces (form, loader->xpath);
  loader->xpath->userData = loader;
  loader->xpath->error = capture_xpath_error;

  itext = first_child (model, "itext");
  if (itext != NULL)
    load_itext (loader, itext);

  for (xmlNode *child = model->children; child != NULL; child = child->next)
    {
      if (is_element (child, NULL, "bind"))
        load_bind (loader, child, pending);
      else if (is_element (child, NULL, "setvalue") || is_element (child, CLMRS_ODK_NS, "setvalue") ||
               is_element (child, CLMRS_ODK_NS, "setgeopoint"))
        {
          PendingSetValue entry = { child, NULL };
          g_array_append_val (model_setvalues, entry);
        }
    }

  form->body = g_new0 (BodyNode, 1);
  form->body->kind = BODY_GROUP;
  form->body->children = g_ptr_array_new_with_free_func ((GDestroyNotify) body_node_free);
  if (body != NULL)
    load_body_children (loader, body, form->body, form->root);

  for (guint i = 0; i < pending->len; i++)
    {
      PendingBind *entry = &g_array_index (pending, PendingBind, i);
      compile_bind (loader, entry->bind, entry->element);
    }
  for (guint i = 0; i < model_setvalues->len; i++)
    load_setvalue (loader, g_array_index (model_setvalues, PendingSetValue, i).element, NULL, NULL);

  order_binds (loader);

  {
    NodeDef *meta = def_child (form->root, "meta");
    if (meta == NULL)
      meta = def_child (form->root, "orx:meta");
    form->instance_id = def_child (meta, "instanceID");
    if (form->instance_id == NULL)
      form->instance_id = def_child (meta, "orx:instanceID");
  }
}

/* Loads @data, returning the form when it has no error.  Every problem
 * goes to @problems (if given), the first error to @error. */
static ClmrsForm *
load_checked (const char          *data,
              gsize                length,
              const char          *origin,
              ClmrsFormMediaFunc   media,
              gpointer             media_data,
              GPtrArray          **problems,
              GError             **error)
{
  Loader loader = { 0 };

  loader.form = form_new (origin);
  loader.problems = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_problem_free);
  loader.codes = g_array_new (FALSE, FALSE, sizeof (int));
  loader.xpath_error = g_string_new (NULL);
  loader.media = media;
  loader.media_data = media_data;

  load_form (&loader, data, length);

  if (loader.xpath != NULL)
    xmlXPathFreeContext (loader.xpath);
  g_string_free (loader.xpath_error, TRUE);
  for (guint i = 0; i < loader.problems->len; i++)
    {
      ClmrsFormProblem *problem = loader.problems->pdata[i];
      g_autofree char *text = NULL;

      if (problem->warning)
        continue;
      text = clmrs_form_problem_to_string (problem);
      g_set_error_literal (error, CLMRS_XFORM_ERROR, g_array_index (loader.codes, int, i), text);
      g_clear_pointer (&loader.form, clmrs_form_unref);
      break;
    }
  g_array_unref (loader.codes);
  if (problems != NULL)
    *problems = loader.problems;
  else
    g_ptr_array_unref (loader.problems);
  return loader.form;
}

/**
 * clmrs_form_load_full:
 *
 * Returns: (transfer full): the form, or %NULL with @error naming the first
 * error as "origin:line: node: reason".  Never a half-loaded form.
 */
ClmrsForm *
clmrs_form_load_full (const char          *data,
                      gsize                length,
                      const char          *origin,
                      ClmrsFormMediaFunc   media,
                      gpointer             media_data,
                      GPtrArray          **problems,
                      GError             **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_checked (data, length, origin ? origin : "<form>", media, media_data, problems, error);
}

/**
 * clmrs_form_load_data:
 *
 * Returns: (transfer full): the form, or %NULL with @error naming the first
 * problem as "origin:line: node: reason".  Never a half-loaded form.
 */
ClmrsForm *
clmrs_form_load_data (const char  *data,
                      gsize        length,
                      const char  *origin,
                      GError     **error)
{
  return clmrs_form_load_full (data, length, origin, NULL, NULL, NULL, error);
}

/* Reads @name in the directory @user_data. */
GBytes *
clmrs_form_media_from_dir (const char  *name,
                           gpointer     user_data,
                           GError     **error)
{
  const char *dir = user_data;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (dir != NULL, NULL);

  path = g_build_filename (dir, name, NULL);
  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), length);
}

/* Loads the form at @path; see clmrs_form_load_data(). */
ClmrsForm *
clmrs_form_load_file (const char  *path,
                      GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return load_checked (data, length, path, NULL, NULL, NULL, error);
}

/* Loads @form: the file when it names a path (holds a '/'), as forms
 * loaded from a file are recorded, else the embedded form of that name. */
ClmrsForm *
clmrs_form_load (const char  *form,
                 GError     **error)
{
  g_return_val_if_fail (form != NULL, NULL);

  if (strchr (form, '/') != NULL)
    return clmrs_form_load_file (form, error);
  return clmrs_form_load_builtin (form, error);
}

/* Loads the embedded assets/forms/@name.xml. */
ClmrsForm *
clmrs_form_load_builtin (const char  *name,
                         GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (name != NULL, NULL);

  path = g_strdup_printf ("forms/%s.xml", name);
  bytes = clmrs_assets_lookup (path, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &length);
  return load_checked (data, length, path, NULL, NULL, NULL, error);
}

/* Returns TRUE when the form at @path loads; @problems holds every
 * problem found, warnings included (an unreadable file is one problem,
 * line 0). */
gboolean
clmrs_form_check_file (const char  *path,
                       GPtrArray  **problems)
{
  return clmrs_form_check_file_full (path, NULL, problems);
}

/* clmrs_form_check_file() with the form's media files in @media_dir. */
gboolean
clmrs_form_check_file_full (const char  *path,
                            const char  *media_dir,
                            GPtrArray  **problems)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &data, &length, &error))
    {
      ClmrsFormProblem *problem = g_new0 (ClmrsFormProblem, 1);
      problem->file = g_strdup (path);
      problem->node = g_strdup ("file");
      problem->reason = g_strdup (error->message);
      found = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_problem_free);
      g_ptr_array_add (found, problem);
    }
  else
    form = load_checked (data, length, path, media_dir ? clmrs_form_media_from_dir : NULL,
                         (gpointer) media_dir, &found, NULL);
  if (problems != NULL)
    *problems = g_ptr_array_ref (found);
  return form != NULL;
}

/* Forms are immutable once loaded, so they are shared by reference. */
ClmrsForm *
clmrs_form_ref (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);

  g_atomic_int_inc (&form->ref_count);
  return form;
}

/* Drops a reference; the last one frees the form. */
void
clmrs_form_unref (ClmrsForm *form)
{
  if (form == NULL || !g_atomic_int_dec_and_test (&form->ref_count))
    return;
  g_free (form->origin);
  g_free (form->id);
  g_free (form->version);
  g_free (form->title);
  g_free (form->default_lang);
  g_free (form->last_saved_id);
  g_ptr_array_unref (form->languages);
  g_hash_table_unref (form->itext);
  g_hash_table_unref (form->instances);
  g_ptr_array_unref (form->calc_order);
  g_ptr_array_unref (form->relevance);
  g_hash_table_unref (form->calc_dependents);
  g_hash_table_unref (form->relevant_dependents);
  g_ptr_array_unref (form->setvalues);
  g_ptr_array_unref (form->counted);
  body_node_free (form->body);
  g_ptr_array_unref (form->labels);
  g_ptr_array_unref (form->exprs);
  g_hash_table_unref (form->binds_by_id);
  g_ptr_array_unref (form->binds);
  g_hash_table_unref (form->defs);
  g_ptr_array_unref (form->namespaces);
  if (form->doc != NULL)
    xmlFreeDoc (form->doc);
  g_free (form);
}

/* The instance root's @id (its element name when it has none). */
const char *
clmrs_form_get_id (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return form->id;
}

/* The instance root's @version, "" when it has none. */
const char *
clmrs_form_get_version (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return form->version;
}

/* The h:title, "" when it has none. */
const char *
clmrs_form_get_title (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return form->title;
}

/* The itext languages as written ("English (en)"), NULL-terminated. */
const char * const *
clmrs_form_get_languages (ClmrsForm *form)
{
  g_return_val_if_fail (form != NULL, NULL);
  return (const char * const *) form->languages->pdata;
}

/* ------------------------------------------------------------------ */
/* Sessions: the instance document                                     */

static NodeDef *
def_of (xmlNode *node)
{
  return node != NULL && node->type == XML_ELEMENT_NODE ? node->_private : NULL;
}

/* Points every element below @node at its NodeDef (NULL if unknown). */
static void
assign_defs (ClmrsForm *form,
             xmlNode   *node,
             NodeDef   *def)
{
  node->_private = def;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      {
        g_autofree char *name = qname_of (child);
        assign_defs (form, child, def != NULL ? def_child (def, name) : NULL);
      }
}

/* Removes the jr:template copies below @node. */
static void
remove_templates (xmlNode *node)
{
  xmlNode *child = node->children;

  while (child != NULL)
    {
      xmlNode *next = child->next;
      if (child->type == XML_ELEMENT_NODE)
        {
          if (xmlHasNsProp (child, (const xmlChar *) "template", (const xmlChar *) CLMRS_JR_NS) != NULL)
            {
              xmlUnlinkNode (child);
              xmlFreeNode (child);
            }
          else
            remove_templates (child);
        }
      child = next;
    }
}

static char *
node_value (xmlNode *node)
{
  if (node->children == NULL)
    return g_strdup ("");
  if (node->children->next == NULL && node->children->type == XML_TEXT_NODE)
    return g_strdup ((const char *) node->children->content);
  return node_text (node);
}

static gboolean
node_has_value (xmlNode *node)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
        child->content != NULL && child->content[0] != '\0')
      return TRUE;
  return FALSE;
}

/* Sets a leaf's text; TRUE when it changed. */
static gboolean
set_node_value (xmlNode    *node,
                const char *value)
{
  g_autofree char *old = node_value (node);

  if (value == NULL)
    value = "";
  if (g_str_equal (old, value))
    return FALSE;
  xmlNodeSetContent (node, NULL);
  if (value[0] != '\0')
    xmlNodeAddContent (node, (const xmlChar *) value);
  return TRUE;
}

/* The index of a repeat instance among its siblings, from 1. */
static guint
instance_index (xmlNode *node)
{
  guint index = 1;

  for (xmlNode *sibling = node->prev; sibling != NULL; sibling = sibling->prev)
    if (sibling->type == XML_ELEMENT_NODE && sibling->_private == node->_private)
      index++;
  return index;
}

/* "/h/children/child[2]/age": an index on every repeat step. */
static char *
ref_of (xmlNode *node)
{
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  GString *ref = g_string_new (NULL);

  for (; node != NULL && node->type == XML_ELEMENT_NODE; node = node->parent)
    {
      NodeDef *def = def_of (node);
      g_autofree char *name = qname_of (node);
      if (def != NULL && def->repeat)
        g_ptr_array_add (steps, g_strdup_printf ("%s[%u]", name, instance_index (node)));
      else
        g_ptr_array_add (steps, g_steal_pointer (&name));
    }
  for (guint i = steps->len; i > 0; i--)
    g_string_append_printf (ref, "/%s", (char *) steps->pdata[i - 1]);
  return g_string_free (ref, FALSE);
}

/* The node @ref names, or NULL.  A repeat step without an index is [1]. */
static xmlNode *
resolve_ref (ClmrsFormSession *session,
             const char       *ref)
{
  g_auto(GStrv) steps = NULL;
  xmlNode *node = xmlDocGetRootElement (session->doc);

  if (ref == NULL || ref[0] != '/')
    return NULL;
  steps = g_strsplit (ref + 1, "/", -1);
  for (guint i = 0; steps[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup (steps[i]);
      char *bracket = strchr (name, '[');
      guint64 index = 1;

      if (bracket != NULL)
        {
          char *end = NULL;
          index = g_ascii_strtoull (bracket + 1, &end, 10);
          if (end == NULL || end[0] != ']' || end[1] != '\0' || index == 0)
            return NULL;
          *bracket = '\0';
        }
      if (i == 0)
        {
          NodeDef *def = def_of (node);
          if (def == NULL || !g_str_equal (def->name, name) || index != 1)
            return NULL;
          continue;
        }
      {
        xmlNode *found = NULL;
        for (xmlNode *child = node->children; child != NULL && found == NULL; child = child->next)
          {
            NodeDef *def = def_of (child);
            if (def != NULL && g_str_equal (def->name, name) && --index == 0)
              found = child;
          }
        if (found == NULL)
          return NULL;
        node = found;
      }
    }
  return node;
}

/* The node of @def below @scope (whose def is an ancestor), first instances
 * of any repeat on the way. */
static xmlNode *
find_below (xmlNode *scope,
            NodeDef *def)
{
  NodeDef *scope_def = def_of (scope);
  NodeDef *chain[512];
  guint n = 0;
  xmlNode *node = scope;

  if (scope_def == def)
    return scope;
  if (scope_def != NULL && is_ancestor_or_self (def, scope_def))
    {
      while (node != NULL && node->type == XML_ELEMENT_NODE && def_of (node) != def)
        node = node->parent;
      return node != NULL && node->type == XML_ELEMENT_NODE ? node : NULL;
    }
  for (NodeDef *d = def; d != NULL && d != scope_def && n < G_N_ELEMENTS (chain); d = d->parent)
    chain[n++] = d;
  while (n > 0 && node != NULL)
    {
      NodeDef *want = chain[--n];
      xmlNode *child;
      for (child = node->children; child != NULL; child = child->next)
        if (def_of (child) == want)
          break;
      node = child;
    }
  return node;
}

static void
collect_nodes (xmlNode   *node,
               NodeDef   *target,
               GPtrArray *out)
{
  NodeDef *def = def_of (node);

  if (def == target)
    {
      g_ptr_array_add (out, node);
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      NodeDef *child_def = def_of (child);
      if (child_def != NULL && child_def->depth <= target->depth && is_ancestor_or_self (child_def, target))
        collect_nodes (child, target, out);
    }
}

/* Every node of @def in the session, in document order. */
static GPtrArray *
nodes_of (ClmrsFormSession *session,
          NodeDef          *def)
{
  GPtrArray *nodes = g_ptr_array_new ();

  collect_nodes (xmlDocGetRootElement (session->doc), def, nodes);
  return nodes;
}

static void
forget_subtree (ClmrsFormSession *session,
                xmlNode          *node)
{
  g_hash_table_remove (session->nonrelevant, node);
  g_hash_table_remove (session->stash, node);
  g_hash_table_remove (session->awaiting_location, node);
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      forget_subtree (session, child);
}

static gboolean
is_relevant (ClmrsFormSession *session,
             xmlNode          *node)
{
  if (g_hash_table_size (session->nonrelevant) == 0)
    return TRUE;
  for (; node != NULL && node->type == XML_ELEMENT_NODE; node = node->parent)
    if (g_hash_table_contains (session->nonrelevant, node))
      return FALSE;
  return TRUE;
}

/* A leaf's value as the user and the API see it: a non-relevant leaf keeps
 * its answer aside (expressions see it empty, as in ODK Collect). */
static char *
read_value (ClmrsFormSession *session,
            xmlNode          *node)
{
  const char *stashed = g_hash_table_lookup (session->stash, node);

  return stashed != NULL ? g_strdup (stashed) : node_value (node);
}

/* Stores a leaf's value (aside when it is not relevant); TRUE if changed. */
static gboolean
store_value (ClmrsFormSession *session,
             xmlNode          *node,
             const char       *value)
{
  const char *stashed = g_hash_table_lookup (session->stash, node);

  if (stashed == NULL)
    return set_node_value (node, value);
  if (g_str_equal (stashed, value ? value : ""))
    return FALSE;
  g_hash_table_insert (session->stash, node, g_strdup (value ? value : ""));
  return TRUE;
}

/* Puts aside the values of leaves below @node that are not relevant and
 * restores those that are again; adds the defs of leaves whose visible
 * value changed to @changed (when given).  TRUE if any changed. */
static gboolean
sync_stash (ClmrsFormSession *session,
            xmlNode          *node,
            gboolean          parent_relevant,
            GPtrArray        *changed)
{
  NodeDef *def = def_of (node);
  gboolean relevant = parent_relevant && !g_hash_table_contains (session->nonrelevant, node);
  gboolean any = FALSE;

  if (def == NULL)
    return FALSE;
  if (def_is_leaf (def))
    {
      gboolean stashed = g_hash_table_contains (session->stash, node);
      gboolean visible_change = FALSE;

      if (!relevant && !stashed)
        {
          visible_change = node_has_value (node);
          g_hash_table_insert (session->stash, node, node_value (node));
          set_node_value (node, NULL);
        }
      else if (relevant && stashed)
        {
          char *value = g_strdup (g_hash_table_lookup (session->stash, node));
          g_hash_table_remove (session->stash, node);
          visible_change = set_node_value (node, value);
          g_free (value);
        }
      if (visible_change && changed != NULL && !g_ptr_array_find (changed, def, NULL))
        g_ptr_array_add (changed, def);
      return visible_change;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      any |= sync_stash (session, child, relevant, changed);
  return any;
}

static void
silent_xpath_error (void        *data,
                    xmlErrorPtr  error)
{
}

/* Evaluates @expr at @node; NULL when evaluation fails. */
static xmlXPathObjectPtr
evaluate (ClmrsFormSession *session,
          Expr             *expr,
          xmlNode          *node,
          xmlNode          *current)
{
  xmlXPathObjectPtr result;
  xmlNode *saved = session->current;

  session->xpath->node = node;
  session->xpath->contextSize = 1;
  session->xpath->proximityPosition = 1;
  session->current = current != NULL ? current : node;
  result = xmlXPathCompiledEval (expr->comp, session->xpath);
  session->current = saved;
  return result;
}

static gboolean
evaluate_boolean (ClmrsFormSession *session,
                  Expr             *expr,
                  xmlNode          *node,
                  gboolean          fallback)
{
  xmlXPathObjectPtr result = evaluate (session, expr, node, NULL);
  gboolean value;

  if (result == NULL)
    return fallback;
  value = xmlXPathCastToBoolean (result);
  xmlXPathFreeObject (result);
  return value;
}

static char *
object_to_string (xmlXPathObjectPtr result)
{
  xmlChar *text;
  char *copy;

  if (result == NULL)
    return g_strdup ("");
  if (result->type == XPATH_NUMBER && isnan (result->floatval))
    return g_strdup ("");
  text = xmlXPathCastToString (result);
  copy = g_strdup ((const char *) text);
  xmlFree (text);
  return copy;
}

static char *
evaluate_string (ClmrsFormSession *session,
                 Expr             *expr,
                 xmlNode          *node,
                 xmlNode          *current)
{
  xmlXPathObjectPtr result = evaluate (session, expr, node, current);
  char *text = object_to_string (result);

  if (result != NULL)
    xmlXPathFreeObject (result);
  return text;
}

/* A computed value in the lexical form of @type. */
static char *
evaluate_value (ClmrsFormSession *session,
                Expr             *expr,
                xmlNode          *node,
                ClmrsDataType     type)
{
  xmlXPathObjectPtr result = evaluate (session, expr, node, NULL);
  char *text;

  if (result != NULL && result->type == XPATH_NUMBER && isfinite (result->floatval))
    {
      if (type == CLMRS_TYPE_INT)
        text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) trunc (result->floatval));
      else if (type == CLMRS_TYPE_DATE)
        {
          g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);
          g_autoptr(GDateTime) day = g_date_time_add_days (epoch, (int) floor (result->floatval));
          text = day != NULL ? g_date_time_format (day, "%Y-%m-%d") : g_strdup ("");
        }
      else
        text = object_to_string (result);
    }
  else
    text = object_to_string (result);
  if (result != NULL)
    xmlXPathFreeObject (result);
  return text;
}

static void
calculate_in (ClmrsFormSession *session,
              Bind             *bind,
              xmlNode          *within)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();

  if (within != NULL)
    collect_nodes (within, bind->def, nodes);
  else
    collect_nodes (xmlDocGetRootElement (session->doc), bind->def, nodes);
  for (guint i = 0; i < nodes->len; i++)
    {
      g_autofree char *value = evaluate_value (session, bind->calculate, nodes->pdata[i], bind->type);
      store_value (session, nodes->pdata[i], value);
    }
}

/* Re-evaluates a relevant expression; the nodes whose flag flipped go to
 * @flipped (when given). */
static void
update_relevance (ClmrsFormSession *session,
                  Bind             *bind,
                  GPtrArray        *flipped)
{
  g_autoptr(GPtrArray) nodes = nodes_of (session, bind->def);

  for (guint i = 0; i < nodes->len; i++)
    {
      gboolean changed;

      if (evaluate_boolean (session, bind->relevant, nodes->pdata[i], TRUE))
        changed = g_hash_table_remove (session->nonrelevant, nodes->pdata[i]);
      else
        changed = g_hash_table_add (session->nonrelevant, nodes->pdata[i]);
      if (changed && flipped != NULL)
        g_ptr_array_add (flipped, nodes->pdata[i]);
    }
}

static gboolean   sync_counts       (ClmrsFormSession *session);
static GPtrArray *recalculate_round (ClmrsFormSession *session,
                                     GPtrArray        *frontier);

/* Recomputes everything: all calculations with dependencies (or all, with
 * @constants), all relevance, the values put aside, jr:count repeats; again
 * while anything moves (bounded). */
static void
recalculate_all (ClmrsFormSession *session,
                 gboolean          constants)
{
  ClmrsForm *form = session->form;

  for (int round = 0; round < 8; round++)
    {
      gboolean moved;

      for (guint i = 0; i < form->calc_order->len; i++)
        {
          Bind *bind = form->calc_order->pdata[i];
          if (constants || bind->calculate->deps->len > 0 || bind->calculate->depends_all)
            calculate_in (session, bind, NULL);
        }
      for (guint i = 0; i < form->relevance->len; i++)
        update_relevance (session, form->relevance->pdata[i], NULL);
      moved = sync_stash (session, xmlDocGetRootElement (session->doc), TRUE, NULL);
      moved |= sync_counts (session);
      if (!moved)
        break;
      constants = FALSE;
    }
}

static void
mark_dependents (GHashTable *map,
                 NodeDef    *changed,
                 GHashTable *marked,
                 GQueue     *queue)
{
  for (NodeDef *def = changed; def != NULL; def = def->parent)
    {
      GPtrArray *list = g_hash_table_lookup (map, def);
      for (guint i = 0; list != NULL && i < list->len; i++)
        if (g_hash_table_add (marked, list->pdata[i]) && queue != NULL)
          g_queue_push_tail (queue, ((Bind *) list->pdata[i])->def);
    }
}

/* Recomputes what depends on @changed: calculations in dependency order,
 * then the relevance that reads any changed node. */
static void
recalculate_from_defs (ClmrsFormSession *session,
                       GPtrArray        *changed)
{
  g_autoptr(GPtrArray) frontier = g_ptr_array_copy (changed, NULL, NULL);

  for (int round = 0; round < 8 && frontier->len > 0; round++)
    {
      GPtrArray *next = recalculate_round (session, frontier);

      if (next == NULL)
        {
          recalculate_all (session, FALSE);
          return;
        }
      g_ptr_array_unref (frontier);
      frontier = next;
    }
}

static void
recalculate_from (ClmrsFormSession *session,
                  NodeDef          *changed)
{
  g_autoptr(GPtrArray) frontier = g_ptr_array_new ();

  g_ptr_array_add (frontier, changed);
  recalculate_from_defs (session, frontier);
}

static void
collect_defs (NodeDef   *def,
              GPtrArray *out)
{
  g_ptr_array_add (out, def);
  for (guint i = 0; i < def->children->len; i++)
    collect_defs (def->children->pdata[i], out);
}

/* After the repeat instance @instance (of @def) was added: the relevance
 * of its nodes, then what reads any of them (a count, a sum, a position
 * elsewhere), not the whole form again. */
static void
settle_new_instance (ClmrsFormSession *session,
                     NodeDef          *def,
                     xmlNode          *instance)
{
  ClmrsForm *form = session->form;
  g_autoptr(GPtrArray) defs = g_ptr_array_new ();

  for (guint i = 0; i < form->relevance->len; i++)
    {
      Bind *bind = form->relevance->pdata[i];
      g_autoptr(GPtrArray) nodes = NULL;

      if (!is_ancestor_or_self (def, bind->def))
        continue;
      nodes = g_ptr_array_new ();
      collect_nodes (instance, bind->def, nodes);
      for (guint n = 0; n < nodes->len; n++)
        if (evaluate_boolean (session, bind->relevant, nodes->pdata[n], TRUE))
          g_hash_table_remove (session->nonrelevant, nodes->pdata[n]);
        else
          g_hash_table_add (session->nonrelevant, nodes->pdata[n]);
    }
  sync_stash (session, instance, is_relevant (session, instance->parent), NULL);
  collect_defs (def, defs);
  for (guint i = 0; i < form->setvalues->len; i++)
    {
      SetValue *setvalue = form->setvalues->pdata[i];
      if (setvalue->new_repeat && setvalue->repeat == def && !is_ancestor_or_self (def, setvalue->target))
        g_ptr_array_add (defs, setvalue->target);
    }
  recalculate_from_defs (session, defs);
}

/* One round of recalculate_from(): returns the defs whose visible values
 * moved because relevance changed (the next round's start), or NULL when
 * jr:count repeats changed (then everything is recomputed). */
static GPtrArray *
recalculate_round (ClmrsFormSession *session,
                   GPtrArray        *frontier)
{
  ClmrsForm *form = session->form;
  g_autoptr(GHashTable) calcs = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) relevants = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) changed_defs = g_ptr_array_new ();
  g_autoptr(GPtrArray) flipped = g_ptr_array_new ();
  GPtrArray *next = g_ptr_array_new ();
  GQueue queue = G_QUEUE_INIT;

  for (guint i = 0; i < frontier->len; i++)
    g_queue_push_tail (&queue, frontier->pdata[i]);
  while (!g_queue_is_empty (&queue))
    {
      NodeDef *def = g_queue_pop_head (&queue);
      g_ptr_array_add (changed_defs, def);
      mark_dependents (form->calc_dependents, def, calcs, &queue);
    }
  for (guint i = 0; i < form->calc_order->len; i++)
    {
      Bind *bind = form->calc_order->pdata[i];
      if (bind->calculate->depends_all || g_hash_table_contains (calcs, bind))
        calculate_in (session, bind, NULL);
      if (bind->calculate->depends_all)
        g_ptr_array_add (changed_defs, bind->def);
    }
  for (guint i = 0; i < changed_defs->len; i++)
    mark_dependents (form->relevant_dependents, changed_defs->pdata[i], relevants, NULL);
  for (guint i = 0; i < form->relevance->len; i++)
    {
      Bind *bind = form->relevance->pdata[i];
      if (bind->relevant->depends_all || g_hash_table_contains (relevants, bind))
        update_relevance (session, bind, flipped);
    }
  for (guint i = 0; i < flipped->len; i++)
    {
      xmlNode *node = flipped->pdata[i];
      sync_stash (session, node, is_relevant (session, node->parent), next);
    }
  if (sync_counts (session))
    {
      g_ptr_array_unref (next);
      return NULL;
    }
  return next;
}

static void
set_preload (ClmrsFormSession *session,
             xmlNode          *node,
             Bind             *bind,
             gboolean          at_end)
{
  if (bind == NULL || bind->preload == NULL)
    return;
  if (g_str_equal (bind->preload, "uid") && !at_end)
    {
      g_autofree char *uuid = clmrs_uuid_new ();
      g_autofree char *value = g_strconcat ("uuid:", uuid, NULL);
      store_value (session, node, value);
    }
  else if (g_str_equal (bind->preload, "property") && !at_end && bind->preload_params != NULL)
    {
      const char *name = bind->preload_params;
      const char *value;

      if (g_str_has_prefix (name, "uri:"))
        name += 4;
      value = g_hash_table_lookup (session->properties, name);
      if (value != NULL)
        store_value (session, node, value);
    }
  else if (g_str_equal (bind->preload, "timestamp"))
    {
      gboolean end = g_strcmp0 (bind->preload_params, "end") == 0;
      if (end == at_end)
        {
          g_autoptr(GDateTime) now = clmrs_now ();
          g_autofree char *value = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.000%:z");
          store_value (session, node, value);
        }
    }
  else if (g_str_equal (bind->preload, "date") && !at_end)
    {
      GDate today;
      g_autofree char *value = NULL;
      clmrs_date_today (&today);
      value = clmrs_date_format (&today);
      store_value (session, node, value);
    }
}

static void
preload_subtree (ClmrsFormSession *session,
                 xmlNode          *node,
                 gboolean          at_end)
{
  NodeDef *def = def_of (node);

  if (def != NULL)
    set_preload (session, node, def->bind, at_end);
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      preload_subtree (session, child, at_end);
}

static void
run_setvalue (ClmrsFormSession *session,
              SetValue         *setvalue,
              xmlNode          *node)
{
  if (setvalue->geopoint)
    {
      /* the location known now; clmrs_form_session_set_location() fills
       * the targets whose event came before the device had one */
      if (session->location != NULL)
        store_value (session, node, session->location);
      else
        g_hash_table_add (session->awaiting_location, node);
    }
  else if (setvalue->value != NULL)
    {
      g_autofree char *value = evaluate_value (session, setvalue->value, node,
                                               setvalue->target->bind ? setvalue->target->bind->type
                                                                      : CLMRS_TYPE_STRING);
      store_value (session, node, value);
    }
  else
    store_value (session, node, setvalue->literal);
}

static gboolean
ns_used (xmlNode *node,
         xmlNs   *ns)
{
  if (node->ns == ns)
    return TRUE;
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    if (attr->ns == ns)
      return TRUE;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && ns_used (child, ns))
      return TRUE;
  return FALSE;
}

/* Removes the namespace declarations a copied instance no longer uses
 * (the jr: of its jr:template), so the submission stays clean. */
static void
drop_unused_namespaces (xmlNode *node)
{
  xmlNs **link = &node->nsDef;

  while (*link != NULL)
    {
      xmlNs *ns = *link;
      if (!ns_used (node, ns))
        {
          *link = ns->next;
          ns->next = NULL;
          xmlFreeNs (ns);
        }
      else
        link = &ns->next;
    }
}

/* A new repeat instance after the last one of @def under @parent (or where
 * the template sits), filled from the template with its defaults. */
static xmlNode *
create_instance (ClmrsFormSession *session,
                 xmlNode          *parent,
                 NodeDef          *def,
                 gboolean          events)
{
  ClmrsForm *form = session->form;
  xmlNode *copy = xmlDocCopyNode (def->template, session->doc, 1);
  xmlNode *after = NULL;
  xmlNode *before = NULL;

  xmlUnsetNsProp (copy, xmlSearchNsByHref (session->doc, copy, (const xmlChar *) CLMRS_JR_NS),
                  (const xmlChar *) "template");
  remove_templates (copy);
  drop_unused_namespaces (copy);
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    {
      NodeDef *child_def = def_of (child);
      if (child_def == def)
        after = child;
      else if (child_def != NULL && child_def->order > def->order && before == NULL && after == NULL)
        before = child;
    }
  if (after != NULL)
    xmlAddNextSibling (after, copy);
  else if (before != NULL)
    xmlAddPrevSibling (before, copy);
  else
    xmlAddChild (parent, copy);
  assign_defs (form, copy, def);
  if (events)
    {
      preload_subtree (session, copy, FALSE);
      for (guint i = 0; i < form->setvalues->len; i++)
        {
          SetValue *setvalue = form->setvalues->pdata[i];
          g_autoptr(GPtrArray) targets = NULL;

          if (!setvalue->new_repeat)
            continue;
          targets = g_ptr_array_new ();
          if (is_ancestor_or_self (def, setvalue->target))
            collect_nodes (copy, setvalue->target, targets);
          else if (setvalue->repeat == def)
            {
              /* an action in the repeat's body may set a node outside it
               * (a counter of the instances added): the one nearest */
              xmlNode *scope = parent;
              xmlNode *target = NULL;

              while (scope != NULL && scope->type == XML_ELEMENT_NODE &&
                     !is_ancestor_or_self (def_of (scope), setvalue->target))
                scope = scope->parent;
              if (scope != NULL && scope->type == XML_ELEMENT_NODE)
                target = find_below (scope, setvalue->target);
              if (target != NULL)
                g_ptr_array_add (targets, target);
            }
          for (guint j = 0; j < targets->len; j++)
            run_setvalue (session, setvalue, targets->pdata[j]);
        }
      for (guint i = 0; i < form->calc_order->len; i++)
        {
          Bind *bind = form->calc_order->pdata[i];
          if (is_ancestor_or_self (def, bind->def))
            calculate_in (session, bind, copy);
        }
    }
  return copy;
}

static guint
count_instances (xmlNode *parent,
                 NodeDef *def,
                 xmlNode **last)
{
  guint count = 0;

  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (def_of (child) == def)
      {
        count++;
        if (last != NULL)
          *last = child;
      }
  return count;
}

static void
remove_instance (ClmrsFormSession *session,
                 xmlNode          *node)
{
  forget_subtree (session, node);
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

/* Makes every jr:count repeat hold as many instances as its count says.
 * TRUE when any instance was added or removed. */
static gboolean
sync_counts (ClmrsFormSession *session)
{
  ClmrsForm *form = session->form;
  gboolean changed = FALSE;

  for (guint i = 0; i < form->counted->len; i++)
    {
      BodyNode *repeat = form->counted->pdata[i];
      g_autoptr(GPtrArray) parents = nodes_of (session, repeat->def->parent);

      for (guint p = 0; p < parents->len; p++)
        {
          xmlNode *parent = parents->pdata[p];
          xmlXPathObjectPtr result = evaluate (session, repeat->count, parent, NULL);
          double wanted = result != NULL ? xmlXPathCastToNumber (result) : NAN;
          guint target = isfinite (wanted) && wanted > 0 ? (guint) MIN (wanted, 500) : 0;
          xmlNode *last = NULL;
          guint have;

          if (result != NULL)
            xmlXPathFreeObject (result);
          have = count_instances (parent, repeat->def, &last);
          for (; have < target; have++, changed = TRUE)
            create_instance (session, parent, repeat->def, TRUE);
          for (; have > target; have--, changed = TRUE)
            {
              count_instances (parent, repeat->def, &last);
              remove_instance (session, last);
            }
        }
    }
  return changed;
}

/**
 * clmrs_form_session_new:
 *
 * Returns: (transfer full): a fresh filling of @form: defaults, preloads and
 * first-load setvalues applied, meta/instanceID set, all computed.
 */
ClmrsFormSession *
clmrs_form_session_new (ClmrsForm  *form,
                        GError    **error)
{
  return clmrs_form_session_new_full (form, NULL, error);
}

/* The last saved submission as the session's jr://instance/last-saved;
 * FALSE with @error when it is not XML of this form. */
static gboolean
set_last_saved (ClmrsFormSession  *session,
                const char        *xml,
                GError           **error)
{
  ClmrsForm *form = session->form;
  xmlDoc *doc;
  xmlNode *root;
  xmlNode *element;

  doc = xmlReadMemory (xml, (int) MIN (strlen (xml), G_MAXINT), "last-saved", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
  root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  if (root == NULL || !xmlStrEqual (root->name, form->primary->name))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_INVALID,
                   "the last saved submission is not a filling of %s (its root must be <%s>)",
                   form->id, (const char *) form->primary->name);
      if (doc != NULL)
        xmlFreeDoc (doc);
      return FALSE;
    }
  _clmrs_xml_strip_default_namespace (root);
  xmlUnlinkNode (root);
  element = xmlNewDocNode (doc, NULL, (const xmlChar *) "instance", NULL);
  xmlDocSetRootElement (doc, element);
  xmlAddChild (element, root);
  session->last_saved = doc;
  g_hash_table_replace (session->instances, g_strdup (form->last_saved_id), element);
  return TRUE;
}

/**
 * clmrs_form_session_new_full:
 * @last_saved: (nullable): the submission XML of the last filling of this
 *   form saved on the device, read by the form's jr://instance/last-saved
 *   instance (XLSForm's ${last-saved#name}); NULL when there is none, then
 *   that instance is the blank form
 *
 * Returns: (transfer full): a fresh filling of @form, or %NULL when
 * @last_saved is not XML of this form.
 */
ClmrsFormSession *
clmrs_form_session_new_full (ClmrsForm   *form,
                             const char  *last_saved,
                             GError     **error)
{
  ClmrsFormSession *session;
  xmlNode *root;

  g_return_val_if_fail (form != NULL, NULL);

  session = g_new0 (ClmrsFormSession, 1);
  session->form = clmrs_form_ref (form);
  session->nonrelevant = g_hash_table_new (NULL, NULL);
  session->stash = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  session->awaiting_location = g_hash_table_new (NULL, NULL);
  session->properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  session->instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  session->language = g_strdup (form->default_lang);
  session->doc = xmlNewDoc ((const xmlChar *) "1.0");
  root = xmlDocCopyNode (form->primary, session->doc, 1);
  xmlDocSetRootElement (session->doc, root);
  remove_templates (root);
  assign_defs (form, root, form->root);

  session->xpath = xmlXPathNewContext (session->doc);
  register_namespaces (form, session->xpath);
  _clmrs_xpath_register_functions (session->xpath);
  clmrs_xpath_register_comparisons (session->xpath);
  session->xpath->userData = session;
  session->xpath->error = silent_xpath_error;

  if (last_saved != NULL && form->last_saved_id != NULL && !set_last_saved (session, last_saved, error))
    {
      clmrs_form_session_free (session);
      return NULL;
    }

  preload_subtree (session, root, FALSE);
  for (guint i = 0; i < form->setvalues->len; i++)
    {
      SetValue *setvalue = form->setvalues->pdata[i];
      g_autoptr(GPtrArray) targets = NULL;

      if (!setvalue->first_load)
        continue;
      targets = nodes_of (session, setvalue->target);
      for (guint j = 0; j < targets->len; j++)
        run_setvalue (session, setvalue, targets->pdata[j]);
    }
  recalculate_all (session, TRUE);
  return session;
}

/* Every node bound jr:preload="property" with jr:preloadParams @name. */
static GPtrArray *
property_nodes (ClmrsFormSession *session,
                const char       *name)
{
  GPtrArray *nodes = g_ptr_array_new ();

  for (guint i = 0; i < session->form->binds->len; i++)
    {
      Bind *bind = session->form->binds->pdata[i];
      const char *param = bind->preload_params;
      g_autoptr(GPtrArray) found = NULL;

      if (g_strcmp0 (bind->preload, "property") != 0 || param == NULL)
        continue;
      if (g_str_has_prefix (param, "uri:"))
        param += 4;
      if (!g_str_equal (param, name))
        continue;
      found = nodes_of (session, bind->def);
      g_ptr_array_extend (nodes, found, NULL, NULL);
    }
  return nodes;
}

/**
 * clmrs_form_session_set_property:
 * @name: an ODK property: "deviceid", "username", "email", "phonenumber", ...
 *
 * What the device knows of @name: the questions bound jr:preload="property"
 * jr:preloadParams="@name" still empty take @value, and so do those of repeat
 * instances added later.
 */
void
clmrs_form_session_set_property (ClmrsFormSession *session,
                                 const char       *name,
                                 const char       *value)
{
  g_autoptr(GPtrArray) nodes = NULL;

  g_return_if_fail (session != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  g_hash_table_replace (session->properties, g_strdup (name), g_strdup (value));
  nodes = property_nodes (session, name);
  for (guint i = 0; i < nodes->len; i++)
    {
      g_autofree char *old = read_value (session, nodes->pdata[i]);
      if (old[0] == '\0')
        store_value (session, nodes->pdata[i], value);
    }
  if (nodes->len > 0)
    recalculate_all (session, FALSE);
}

/**
 * clmrs_form_session_set_location:
 * @geopoint: "latitude longitude altitude accuracy"
 *
 * The device's location, for odk:setgeopoint: the targets of actions whose
 * event came before it was known take it now; later events take it at once.
 */
void
clmrs_form_session_set_location (ClmrsFormSession *session,
                                 const char       *geopoint)
{
  GHashTableIter iter;
  gpointer node;

  g_return_if_fail (session != NULL);
  g_return_if_fail (geopoint != NULL);

  g_free (session->location);
  session->location = g_strdup (geopoint);
  if (g_hash_table_size (session->awaiting_location) == 0)
    return;
  g_hash_table_iter_init (&iter, session->awaiting_location);
  while (g_hash_table_iter_next (&iter, &node, NULL))
    store_value (session, node, geopoint);
  g_hash_table_remove_all (session->awaiting_location);
  recalculate_all (session, FALSE);
}

/* Frees the session and its instance; the form keeps living while referenced. */
void
clmrs_form_session_free (ClmrsFormSession *session)
{
  if (session == NULL)
    return;
  xmlXPathFreeContext (session->xpath);
  xmlFreeDoc (session->doc);
  g_hash_table_unref (session->nonrelevant);
  g_hash_table_unref (session->stash);
  g_hash_table_unref (session->awaiting_location);
  g_hash_table_unref (session->properties);
  g_hash_table_unref (session->instances);
  if (session->last_saved != NULL)
    xmlFreeDoc (session->last_saved);
  g_free (session->location);
  g_free (session->language);
  g_free (session->instance_id);
  clmrs_form_unref (session->form);
  g_free (session);
}

/* Returns: (transfer none): the session's form. */
ClmrsForm *
clmrs_form_session_get_form (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->form;
}

/* meta/instanceID ("uuid:..."), or NULL if the form has none. */
const char *
clmrs_form_session_get_instance_id (ClmrsFormSession *session)
{
  g_autoptr(GPtrArray) nodes = NULL;

  g_return_val_if_fail (session != NULL, NULL);

  if (session->form->instance_id == NULL)
    return NULL;
  nodes = nodes_of (session, session->form->instance_id);
  if (nodes->len == 0)
    return NULL;
  g_free (session->instance_id);
  session->instance_id = read_value (session, nodes->pdata[0]);
  return session->instance_id;
}

/* Chooses the itext language: as written ("French (fr)"), its code ("fr")
 * or its name ("French"); an unknown one leaves the language unchanged. */
void
clmrs_form_session_set_language (ClmrsFormSession *session,
                                 const char       *language)
{
  ClmrsForm *form;

  g_return_if_fail (session != NULL);
  g_return_if_fail (language != NULL);

  form = session->form;
  for (int pass = 0; pass < 3; pass++)
    for (guint i = 0; i + 1 < form->languages->len; i++)
      {
        const char *lang = form->languages->pdata[i];
        g_autofree char *code = g_strdup_printf ("(%s)", language);
        gboolean match = pass == 0 ? g_str_equal (lang, language)
                       : pass == 1 ? g_str_has_suffix (lang, code)
                       : (g_ascii_strncasecmp (lang, language, strlen (language)) == 0 &&
                          (lang[strlen (language)] == '\0' || lang[strlen (language)] == ' '));
        if (match)
          {
            g_free (session->language);
            session->language = g_strdup (lang);
            return;
          }
      }
}

/* The itext language in use, as written ("French (fr)"); NULL when the
 * form has no itext. */
const char *
clmrs_form_session_get_language (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->language;
}

/**
 * clmrs_form_session_dup_title:
 *
 * The form's title in the session's language: the itext text with id
 * `clmrs:form-title` when the form has one (XForms gives h:title no
 * translation), else h:title.
 *
 * Returns: (transfer full): the title.
 */
char *
clmrs_form_session_dup_title (ClmrsFormSession *session)
{
  char *title;

  g_return_val_if_fail (session != NULL, NULL);

  title = _clmrs_form_session_itext (session, "clmrs:form-title");
  if (title != NULL && *title != '\0')
    return title;
  g_free (title);
  return g_strdup (clmrs_form_get_title (session->form));
}

/* For the XPath functions. */
xmlNode *
_clmrs_form_session_current_node (ClmrsFormSession *session)
{
  return session != NULL ? session->current : NULL;
}

xmlNode *
_clmrs_form_session_instance (ClmrsFormSession *session,
                              const char       *id)
{
  xmlNode *own;

  if (session == NULL)
    return NULL;
  own = g_hash_table_lookup (session->instances, id);
  return own != NULL ? own : g_hash_table_lookup (session->form->instances, id);
}

static xmlNode *
itext_value (ClmrsFormSession *session,
             const char       *id)
{
  ClmrsForm *form = session->form;
  const char *langs[] = { session->language, form->default_lang };

  for (gsize i = 0; i < G_N_ELEMENTS (langs); i++)
    {
      GHashTable *texts = langs[i] ? g_hash_table_lookup (form->itext, langs[i]) : NULL;
      xmlNode *value = texts ? g_hash_table_lookup (texts, id) : NULL;
      if (value != NULL)
        return value;
    }
  return NULL;
}

char *
_clmrs_form_session_itext (ClmrsFormSession *session,
                           const char       *id)
{
  xmlNode *value;

  if (session == NULL)
    return NULL;
  value = itext_value (session, id);
  return value != NULL ? g_strstrip (node_text (value)) : NULL;
}

/* ------------------------------------------------------------------ */
/* Labels and choices                                                  */

static char *
render_segments (ClmrsFormSession *session,
                 GPtrArray        *segments,
                 xmlNode          *context)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < segments->len; i++)
    {
      Segment *segment = segments->pdata[i];
      if (segment->text != NULL)
        g_string_append (out, segment->text);
      else if (segment->expr != NULL)
        {
          g_autofree char *value = evaluate_string (session, segment->expr, context, NULL);
          g_string_append (out, value);
        }
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/* The label in the session's language (else the default, else any). */
static char *
render_label (ClmrsFormSession *session,
              Label            *label,
              xmlNode          *context)
{
  GPtrArray *segments = NULL;

  if (label == NULL)
    return NULL;
  if (label->by_lang != NULL)
    {
      ClmrsForm *form = session->form;
      if (session->language != NULL)
        segments = g_hash_table_lookup (label->by_lang, session->language);
      if (segments == NULL && form->default_lang != NULL)
        segments = g_hash_table_lookup (label->by_lang, form->default_lang);
      for (guint i = 0; segments == NULL && i + 1 < form->languages->len; i++)
        segments = g_hash_table_lookup (label->by_lang, form->languages->pdata[i]);
    }
  else
    segments = label->plain;
  if (segments == NULL)
    return NULL;
  return render_segments (session, segments, context);
}

static void
choice_free (ClmrsChoice *choice)
{
  g_free (choice->value);
  g_free (choice->label);
  g_free (choice);
}

/* The items an indexed choice filter leaves (index_itemset()), as the
 * itemset's XPath would give them; NULL when the filter's value is not
 * one node (then XPath decides). */
static xmlXPathObjectPtr
filtered_items (ClmrsFormSession *session,
                BodyNode         *control,
                xmlNode          *node)
{
  xmlXPathObjectPtr value = evaluate (session, control->filter_value, node, NULL);
  xmlXPathObjectPtr out = NULL;

  if (value != NULL && value->type == XPATH_NODESET)
    {
      int count = value->nodesetval != NULL ? value->nodesetval->nodeNr : 0;

      if (count == 0)
        out = xmlXPathNewNodeSet (NULL);
      else if (count == 1)
        {
          xmlChar *text = xmlXPathCastNodeToString (value->nodesetval->nodeTab[0]);
          GPtrArray *items = g_hash_table_lookup (control->filter_index, (const char *) text);

          out = xmlXPathNewNodeSet (NULL);
          for (guint i = 0; items != NULL && i < items->len; i++)
            xmlXPathNodeSetAddUnique (out->nodesetval, items->pdata[i]);
          xmlFree (text);
        }
    }
  if (value != NULL)
    xmlXPathFreeObject (value);
  return out;
}

/* The choices of a select at @node, in the session's language. */
static GPtrArray *
choices_of (ClmrsFormSession *session,
            BodyNode         *control,
            xmlNode          *node)
{
  GPtrArray *choices = g_ptr_array_new_with_free_func ((GDestroyNotify) choice_free);

  for (guint i = 0; control->items != NULL && i < control->items->len; i++)
    {
      Item *item = control->items->pdata[i];
      ClmrsChoice *choice = g_new0 (ClmrsChoice, 1);
      choice->value = g_strdup (item->value);
      choice->label = render_label (session, item->label, node);
      if (choice->label == NULL)
        choice->label = g_strdup (item->value);
      g_ptr_array_add (choices, choice);
    }
  if (control->itemset != NULL && control->item_value != NULL && control->item_label != NULL)
    {
      xmlXPathObjectPtr items = NULL;

      if (control->filter_index != NULL)
        items = filtered_items (session, control, node);
      if (items == NULL)
        items = evaluate (session, control->itemset, node, NULL);
      if (items != NULL && items->type == XPATH_NODESET && items->nodesetval != NULL)
        {
          /* Copy the node list first: evaluating inside reuses the context. */
          g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
          for (int i = 0; i < items->nodesetval->nodeNr; i++)
            g_ptr_array_add (nodes, items->nodesetval->nodeTab[i]);
          if (control->randomize)
            {
              double seed = 0;
              if (control->randomize_seed != NULL)
                {
                  xmlXPathObjectPtr result = evaluate (session, control->randomize_seed, node, NULL);
                  seed = result != NULL ? xmlXPathCastToNumber (result) : NAN;
                  if (result != NULL)
                    xmlXPathFreeObject (result);
                }
              _clmrs_xpath_shuffle (nodes->pdata, nodes->len, control->randomize_seed != NULL ? &seed : NULL);
            }
          for (guint i = 0; i < nodes->len; i++)
            {
              ClmrsChoice *choice = g_new0 (ClmrsChoice, 1);
              choice->value = g_strstrip (evaluate_string (session, control->item_value, nodes->pdata[i], node));
              choice->label = g_strstrip (evaluate_string (session, control->item_label, nodes->pdata[i], node));
              g_ptr_array_add (choices, choice);
            }
        }
      if (items != NULL)
        xmlXPathFreeObject (items);
    }
  return choices;
}

char *
_clmrs_form_session_choice_name (ClmrsFormSession *session,
                                 const char       *value,
                                 const char       *ref)
{
  NodeDef *def = NULL;
  xmlNode *node = NULL;
  g_autoptr(GPtrArray) choices = NULL;

  if (session == NULL || ref == NULL || ref[0] == '\0')
    return NULL;
  if (ref[0] == '/')
    {
      def = lookup_def (session->form, ref, NULL);
      if (def != NULL)
        {
          g_autoptr(GPtrArray) nodes = nodes_of (session, def);
          node = nodes->len > 0 ? nodes->pdata[0] : NULL;
        }
    }
  else if (session->current != NULL)
    {
      xmlXPathObjectPtr found;
      xmlNode *saved_node = session->xpath->node;

      session->xpath->node = session->current;
      found = xmlXPathEval ((const xmlChar *) ref, session->xpath);
      session->xpath->node = saved_node;
      if (found != NULL && found->type == XPATH_NODESET && found->nodesetval != NULL &&
          found->nodesetval->nodeNr > 0)
        {
          node = found->nodesetval->nodeTab[0];
          def = def_of (node);
        }
      if (found != NULL)
        xmlXPathFreeObject (found);
    }
  if (def == NULL || def->control == NULL || node == NULL)
    return NULL;
  choices = choices_of (session, def->control, node);
  for (guint i = 0; i < choices->len; i++)
    {
      ClmrsChoice *choice = choices->pdata[i];
      if (g_str_equal (choice->value, value))
        return g_strdup (choice->label);
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Prompts                                                             */

void
clmrs_prompt_free (ClmrsPrompt *prompt)
{
  if (prompt == NULL)
    return;
  g_free (prompt->ref);
  g_free (prompt->label);
  g_free (prompt->hint);
  g_free (prompt->appearance);
  g_free (prompt->value);
  g_clear_pointer (&prompt->choices, g_ptr_array_unref);
  g_free (prompt->screen);
  g_free (prompt->repeat);
  g_free (prompt->section);
  g_free (prompt->repeat_label);
  g_free (prompt->repeat_name);
  g_free (prompt->mediatype);
  g_free (prompt);
}

void
clmrs_repeat_instance_free (ClmrsRepeatInstance *instance)
{
  if (instance == NULL)
    return;
  g_free (instance->ref);
  g_free (instance->name);
  g_free (instance->sex);
  g_free (instance->age);
  g_free (instance);
}

/* The leaf bound clmrs:field=@field in the instance @node, or NULL: a
 * nested repeat or entity names its own instances, not this one. */
static xmlNode *
find_field_leaf (xmlNode    *node,
                 const char *field,
                 gboolean    top)
{
  NodeDef *def = def_of (node);

  if (def == NULL)
    return NULL;
  if (!top && (def->repeat || (def->bind != NULL && def->bind->entity != NULL)))
    return NULL;
  if (def_is_leaf (def))
    return def->bind != NULL && g_strcmp0 (def->bind->field, field) == 0 ? node : NULL;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      xmlNode *found;

      if (child->type == XML_ELEMENT_NODE && (found = find_field_leaf (child, field, FALSE)) != NULL)
        return found;
    }
  return NULL;
}

/* The answer to @instance's clmrs:field=@field leaf, in words for a
 * choice (a roster says "Female", not "female"); NULL when empty or not
 * relevant. */
static char *
instance_field (ClmrsFormSession *session,
                xmlNode          *instance,
                const char       *field)
{
  xmlNode *leaf = find_field_leaf (instance, field, TRUE);
  g_autofree char *value = NULL;
  NodeDef *def;

  if (leaf == NULL || !is_relevant (session, leaf))
    return NULL;
  value = g_strstrip (node_value (leaf));
  if (value[0] == '\0')
    return NULL;
  def = def_of (leaf);
  if (def->control != NULL && (def->control->kind == BODY_SELECT1 || def->control->kind == BODY_SELECT))
    {
      g_autoptr(GPtrArray) choices = choices_of (session, def->control, leaf);

      for (guint i = 0; i < choices->len; i++)
        {
          ClmrsChoice *choice = choices->pdata[i];

          if (g_str_equal (choice->value, value))
            return g_strdup (choice->label);
        }
    }
  return g_steal_pointer (&value);
}

static ClmrsDataType
type_of (NodeDef *def)
{
  if (def->control != NULL && def->control->kind == BODY_SELECT1)
    return CLMRS_TYPE_SELECT1;
  if (def->control != NULL && (def->control->kind == BODY_SELECT || def->control->kind == BODY_RANK))
    return CLMRS_TYPE_SELECT;
  return def->bind != NULL ? def->bind->type : CLMRS_TYPE_STRING;
}

static gboolean
is_required (ClmrsFormSession *session,
             xmlNode          *node)
{
  Bind *bind = def_of (node)->bind;

  return bind != NULL && bind->required != NULL && evaluate_boolean (session, bind->required, node, FALSE);
}

/* Calculated, or readonly here or on an enclosing group. */
static gboolean
is_readonly (ClmrsFormSession *session,
             xmlNode          *node)
{
  for (xmlNode *n = node; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent)
    {
      NodeDef *def = def_of (n);
      Bind *bind = def != NULL ? def->bind : NULL;
      if (bind == NULL)
        continue;
      if (n == node && bind->calculate != NULL)
        return TRUE;
      if (bind->readonly != NULL && evaluate_boolean (session, bind->readonly, n, FALSE))
        return TRUE;
    }
  return FALSE;
}

static ClmrsPrompt *
make_prompt (ClmrsFormSession *session,
             BodyNode         *control,
             xmlNode          *node,
             gboolean          outline)
{
  ClmrsPrompt *prompt = g_new0 (ClmrsPrompt, 1);

  prompt->kind = CLMRS_PROMPT_QUESTION;
  prompt->ref = ref_of (node);
  prompt->control = control->kind == BODY_SELECT1 ? CLMRS_CONTROL_SELECT1
                  : control->kind == BODY_SELECT ? CLMRS_CONTROL_SELECT
                  : control->kind == BODY_TRIGGER ? CLMRS_CONTROL_TRIGGER
                  : control->kind == BODY_RANGE ? CLMRS_CONTROL_RANGE
                  : control->kind == BODY_RANK ? CLMRS_CONTROL_RANK
                  : control->kind == BODY_UPLOAD ? CLMRS_CONTROL_UPLOAD
                  : CLMRS_CONTROL_INPUT;
  prompt->type = type_of (control->def);
  if (outline)
    {
      prompt->label = g_strdup (control->def->name);
      return prompt;
    }
  {
    g_autofree char *value = node_value (node);

    prompt->label = render_label (session, control->label, node);
    if (prompt->label == NULL)
      prompt->label = g_strdup (control->def->name);
    prompt->hint = render_label (session, control->hint, node);
    prompt->appearance = g_strdup (control->appearance);
    prompt->value = value[0] != '\0' ? g_steal_pointer (&value) : NULL;
  }
  prompt->required = is_required (session, node);
  prompt->readonly = is_readonly (session, node);
  if (IS_CHOICE_KIND (control->kind))
    prompt->choices = choices_of (session, control, node);
  if (control->kind == BODY_RANGE)
    {
      prompt->range_start = control->range_start;
      prompt->range_end = control->range_end;
      prompt->range_step = control->range_step;
    }
  if (control->kind == BODY_UPLOAD)
    {
      prompt->mediatype = g_strdup (control->mediatype);
      prompt->max_pixels = control->def->bind != NULL ? control->def->bind->max_pixels : 0;
    }
  return prompt;
}

/* Where the walk is: the screen and repeat instance it is in, and the
 * labels a heading names them by. */
typedef struct {
  const char *screen;          /* ref of the outermost field-list group, or NULL */
  const char *repeat;          /* ref of the innermost repeat instance, or NULL */
  Label      *repeat_label;    /* its label */
  xmlNode    *repeat_node;
  guint       repeat_position; /* 1-based among its siblings */
  guint       repeat_total;
  const char *repeat_name;     /* its name answer, or NULL */
  Label      *section_label;   /* the innermost labelled group */
  xmlNode    *section_node;
  gboolean    everything;      /* relevant or not (clmrs_form_session_get_outline) */
} Walk;

static void
walk_body (ClmrsFormSession *session,
           BodyNode         *body,
           xmlNode          *scope,
           const Walk       *walk,
           Label            *group_label,
           GPtrArray        *out);

static void
walk_children (ClmrsFormSession *session,
               BodyNode         *body,
               xmlNode          *scope,
               const Walk       *walk,
               GPtrArray        *out)
{
  for (guint i = 0; i < body->children->len; i++)
    walk_body (session, body->children->pdata[i], scope, walk,
               body->kind == BODY_GROUP ? body->label : NULL, out);
}

static gboolean
walk_enters (ClmrsFormSession *session,
             const Walk       *walk,
             xmlNode          *node)
{
  return node != NULL && (walk->everything || is_relevant (session, node));
}

static void
set_place (ClmrsFormSession *session,
           ClmrsPrompt      *prompt,
           const Walk       *walk)
{
  prompt->screen = g_strdup (walk->screen);
  prompt->repeat = g_strdup (walk->repeat);
  if (walk->everything)
    return;
  prompt->section = render_label (session, walk->section_label, walk->section_node);
  if (walk->repeat != NULL)
    {
      prompt->repeat_label = render_label (session, walk->repeat_label, walk->repeat_node);
      prompt->repeat_position = walk->repeat_position;
      prompt->repeat_total = walk->repeat_total;
      prompt->repeat_name = g_strdup (walk->repeat_name);
    }
}

/* The questions of one instance of a repeat that has none, for the
 * outline: refs are NULL (no node exists), screens stand for the groups. */
static void
walk_template (BodyNode   *body,
               const char *screen,
               GPtrArray  *out)
{
  g_autofree char *own_screen = NULL;

  if (body->kind == BODY_GROUP || body->kind == BODY_REPEAT)
    {
      if (screen == NULL && g_strcmp0 (body->appearance, "field-list") == 0)
        screen = own_screen = g_strdup_printf ("#template%d", body->line);
      for (guint i = 0; i < body->children->len; i++)
        walk_template (body->children->pdata[i], screen, out);
    }
  else
    {
      ClmrsPrompt *prompt = g_new0 (ClmrsPrompt, 1);

      prompt->kind = CLMRS_PROMPT_QUESTION;
      prompt->label = g_strdup (body->def->name);
      prompt->screen = g_strdup (screen);
      g_ptr_array_add (out, prompt);
    }
}

static void
walk_body (ClmrsFormSession *session,
           BodyNode         *body,
           xmlNode          *scope,
           const Walk       *walk,
           Label            *group_label,
           GPtrArray        *out)
{
  g_autofree char *own_screen = NULL;

  switch (body->kind)
    {
    case BODY_GROUP:
      {
        Walk inner = *walk;
        xmlNode *node;

        /* pyxform wraps a repeat in a group with the same ref: that group
         * stands for all instances, so it stays at the repeat's parent. */
        if (body->def != NULL && body->def->repeat)
          node = find_below (scope, body->def->parent);
        else
          node = body->def != NULL ? find_below (scope, body->def) : scope;
        if (!walk_enters (session, walk, node))
          return;
        if (walk->screen == NULL && g_strcmp0 (body->appearance, "field-list") == 0)
          {
            g_autofree char *base = ref_of (node);
            own_screen = body->def != NULL ? g_steal_pointer (&base)
                                           : g_strdup_printf ("%s#%d", base, body->line);
            inner.screen = own_screen;
          }
        /* the wrapper of a repeat names its instances, not a section */
        if (body->label != NULL && !(body->def != NULL && body->def->repeat))
          {
            inner.section_label = body->label;
            inner.section_node = node;
          }
        walk_children (session, body, node, &inner, out);
        return;
      }
    case BODY_REPEAT:
      {
        xmlNode *parent = find_below (scope, body->def->parent);
        Walk inner = *walk;

        if (!walk_enters (session, walk, parent))
          return;
        inner.repeat_label = body->label ? body->label : group_label;
        inner.repeat_position = 0;
        inner.repeat_total = 0;
        for (xmlNode *child = parent->children; child != NULL; child = child->next)
          if (def_of (child) == body->def && walk_enters (session, walk, child))
            inner.repeat_total++;
        for (xmlNode *child = parent->children; child != NULL; child = child->next)
          {
            g_autofree char *instance_ref = NULL;
            g_autofree char *name = NULL;
            if (def_of (child) != body->def || !walk_enters (session, walk, child))
              continue;
            instance_ref = ref_of (child);
            /* once an instance, not for each of its prompts */
            if (!walk->everything)
              name = instance_field (session, child, "name");
            inner.repeat = instance_ref;
            inner.repeat_name = name;
            inner.repeat_node = child;
            inner.repeat_position++;
            /* a section outside the repeat does not name what is inside an instance */
            inner.section_label = NULL;
            inner.section_node = NULL;
            walk_children (session, body, child, &inner, out);
          }
        if (body->count == NULL && !body->no_add_remove)
          {
            ClmrsPrompt *prompt = g_new0 (ClmrsPrompt, 1);
            g_autofree char *parent_ref = ref_of (parent);
            prompt->kind = CLMRS_PROMPT_REPEAT_ADD;
            prompt->ref = g_strdup_printf ("%s/%s", parent_ref, body->def->name);
            prompt->control = CLMRS_CONTROL_TRIGGER;
            prompt->type = CLMRS_TYPE_STRING;
            if (!walk->everything)
              prompt->label = render_label (session, body->label ? body->label : group_label, parent);
            if (prompt->label == NULL)
              prompt->label = g_strdup (body->def->name);
            prompt->appearance = g_strdup (body->appearance);
            set_place (session, prompt, walk);
            g_ptr_array_add (out, prompt);
            /* a roster not started yet will hold one instance at least,
             * added from this screen: the outline counts its screens after
             * it, or the household's questions would look like most of
             * the visit */
            if (walk->everything && inner.repeat_total == 0)
              walk_template (body, walk->screen, out);
          }
        return;
      }
    default:
      {
        xmlNode *node = find_below (scope, body->def);
        ClmrsPrompt *prompt;

        if (!walk_enters (session, walk, node))
          return;
        prompt = make_prompt (session, body, node, walk->everything);
        set_place (session, prompt, walk);
        g_ptr_array_add (out, prompt);
        return;
      }
    }
}

static GPtrArray *
walk_form (ClmrsFormSession *session,
           gboolean          everything)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_prompt_free);
  Walk walk = { .everything = everything };

  walk_children (session, session->form->body, xmlDocGetRootElement (session->doc), &walk, out);
  return out;
}

/* The relevant questions in body order, groups entered, every repeat
 * instance expanded, plus a REPEAT_ADD prompt after each user-sized repeat.
 * Labels are in the session's language with outputs substituted. */
GPtrArray *
clmrs_form_session_get_prompts (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  return walk_form (session, FALSE);
}

/* Every question the form could still ask with the repeat instances it has
 * now, relevant or not, in the order of clmrs_form_session_get_prompts(),
 * and one instance's questions for a repeat that has none yet (their ref is
 * NULL): the whole length of the filling, for measuring how far along it
 * is. Only kind, ref, control, type, screen and repeat are set; the label is
 * the node's name and nothing is evaluated, so it stays cheap. */
GPtrArray *
clmrs_form_session_get_outline (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  return walk_form (session, TRUE);
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

static gboolean
is_decimal (const char *value)
{
  char *end = NULL;
  double number;

  if (value[0] == '\0' || strspn (value, "0123456789+-.eE") != strlen (value))
    return FALSE;
  number = g_ascii_strtod (value, &end);
  return end != NULL && *end == '\0' && isfinite (number);
}

static gboolean
is_time (const char *value)
{
  g_autoptr(GRegex) regex = g_regex_new ("^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?"
                                         "(Z|[+-][0-9][0-9]:?[0-9][0-9])?$", 0, 0, NULL);
  return g_regex_match (regex, value, 0, NULL);
}

static gboolean
is_geopoint (const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, " ", -1);
  guint n = g_strv_length (parts);

  if (n < 2 || n > 4)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!is_decimal (parts[i]))
      return FALSE;
  return fabs (g_ascii_strtod (parts[0], NULL)) <= 90 && fabs (g_ascii_strtod (parts[1], NULL)) <= 180;
}

/* A geotrace or geoshape as the spec writes them: geopoints separated
 * by ';'; a trace has 2 points or more and does not end where it began,
 * a shape has 3 or more and does. */
static gboolean
is_geo_path (const char *value,
             gboolean    shape)
{
  g_auto(GStrv) points = g_strsplit (value, ";", -1);
  g_auto(GStrv) first = NULL;
  g_auto(GStrv) last = NULL;
  guint n = g_strv_length (points);
  gboolean closed;

  if (n < (shape ? 3u : 2u))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!is_geopoint (g_strstrip (points[i])))
      return FALSE;
  first = g_strsplit (points[0], " ", -1);
  last = g_strsplit (points[n - 1], " ", -1);
  closed = g_ascii_strtod (first[0], NULL) == g_ascii_strtod (last[0], NULL) &&
           g_ascii_strtod (first[1], NULL) == g_ascii_strtod (last[1], NULL);
  return shape ? closed : !closed;
}

/* TRUE when @value is in the lexical space of @type. */
static gboolean
lexical_ok (ClmrsDataType  type,
            const char    *value)
{
  switch (type)
    {
    case CLMRS_TYPE_INT:
      {
        gint64 number;
        return g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL);
      }
    case CLMRS_TYPE_DECIMAL:
      return is_decimal (value);
    case CLMRS_TYPE_BOOLEAN:
      return g_str_equal (value, "true") || g_str_equal (value, "false") ||
             g_str_equal (value, "1") || g_str_equal (value, "0");
    case CLMRS_TYPE_DATE:
      {
        GDate date;
        return strlen (value) == 10 && clmrs_date_parse (value, &date);
      }
    case CLMRS_TYPE_TIME:
      return is_time (value);
    case CLMRS_TYPE_DATETIME:
      {
        g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
        g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (value, utc);
        return time != NULL;
      }
    case CLMRS_TYPE_SELECT1:
      return strchr (value, ' ') == NULL;
    case CLMRS_TYPE_GEOPOINT:
      return is_geopoint (value);
    case CLMRS_TYPE_BINARY:
      return clmrs_form_binary_name_is_valid (value);
    case CLMRS_TYPE_GEOTRACE:
    case CLMRS_TYPE_GEOSHAPE:
      return is_geo_path (value, type == CLMRS_TYPE_GEOSHAPE);
    case CLMRS_TYPE_STRING:
    case CLMRS_TYPE_SELECT:
    default:
      return TRUE;
    }
}

static const char *
type_name (ClmrsDataType type)
{
  static const char *names[] = { "string", "int", "decimal", "boolean", "date", "time",
                                 "dateTime", "select1", "select", "geopoint",
                                 "file name (a name with an extension, no folder)",
                                 "geotrace (at least 2 points \"lat lon\" separated by ';', the last not the first)",
                                 "geoshape (at least 3 points \"lat lon\" separated by ';', the last the same as the first)" };
  return type < G_N_ELEMENTS (names) ? names[type] : "?";
}

gboolean
clmrs_form_binary_name_is_valid (const char *name)
{
  const char *dot;

  if (name == NULL || name[0] == '\0' || name[0] == '.' || strlen (name) > 200 ||
      !g_utf8_validate (name, -1, NULL) || strpbrk (name, "/\\: \t\r\n") != NULL)
    return FALSE;
  dot = strrchr (name, '.');
  return dot != NULL && dot[1] != '\0';
}

/* TRUE for UTF-8 text that XML 1.0 can carry (no control characters
 * other than tab and line ends). */
static gboolean
text_ok (const char *value)
{
  if (!g_utf8_validate (value, -1, NULL))
    return FALSE;
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
      return FALSE;
  return TRUE;
}

/* @value normalised for @node, or NULL with @error (TYPE) naming the ref. */
static char *
normalize_value (ClmrsFormSession  *session,
                 xmlNode           *node,
                 const char        *ref,
                 const char        *value,
                 gboolean           check_choices,
                 GError           **error)
{
  NodeDef *def = def_of (node);
  ClmrsDataType type = type_of (def);
  g_autofree char *text = NULL;

  if (value == NULL || value[0] == '\0')
    return g_strdup ("");
  if (!text_ok (value))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                   "%s: the value is not UTF-8 text without control characters", ref);
      return NULL;
    }
  /* ODK Collect saves "OK" when an acknowledgement is acknowledged */
  if (def->control != NULL && def->control->kind == BODY_TRIGGER && !g_str_equal (value, "OK"))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                   "%s: an acknowledgement's value is OK, not '%s'", ref, value);
      return NULL;
    }
  if (type == CLMRS_TYPE_STRING)
    return g_strdup (value);
  if (type == CLMRS_TYPE_SELECT)
    {
      g_auto(GStrv) parts = g_strsplit_set (value, " \t\n", -1);
      g_autoptr(GPtrArray) kept = g_ptr_array_new ();
      for (guint i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          g_ptr_array_add (kept, parts[i]);
      g_ptr_array_add (kept, NULL);
      text = g_strjoinv (" ", (char **) kept->pdata);
    }
  else if (type == CLMRS_TYPE_GEOTRACE || type == CLMRS_TYPE_GEOSHAPE)
    {
      /* each point as a geopoint is written ("lat lon alt acc"), ';' between them */
      g_auto(GStrv) points = g_strsplit (value, ";", -1);
      g_autoptr(GString) joined = g_string_new (NULL);

      for (guint i = 0; points[i] != NULL; i++)
        {
          g_auto(GStrv) parts = g_strsplit_set (g_strstrip (points[i]), " \t\n", -1);
          guint kept = 0;

          if (i > 0)
            g_string_append_c (joined, ';');
          for (guint j = 0; parts[j] != NULL; j++)
            if (parts[j][0] != '\0')
              g_string_append_printf (joined, "%s%s", kept++ ? " " : "", parts[j]);
        }
      text = g_string_free (g_steal_pointer (&joined), FALSE);
    }
  else
    text = g_strstrip (g_strdup (value));
  if (!lexical_ok (type, text))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                   "%s: '%s' is not a valid %s", ref, value, type_name (type));
      return NULL;
    }
  if (check_choices && def->control != NULL && IS_CHOICE_KIND (def->control->kind))
    {
      g_autoptr(GPtrArray) choices = choices_of (session, def->control, node);
      g_auto(GStrv) picked = g_strsplit (text, " ", -1);
      for (guint i = 0; picked[i] != NULL; i++)
        {
          gboolean found = FALSE;
          for (guint c = 0; c < choices->len && !found; c++)
            found = g_str_equal (((ClmrsChoice *) choices->pdata[c])->value, picked[i]);
          if (!found)
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                           "%s: '%s' is not one of the choices", ref, picked[i]);
              return NULL;
            }
          if (def->control->kind == BODY_RANK && g_strv_contains ((const char * const *) picked + i + 1, picked[i]))
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                           "%s: '%s' is ranked twice", ref, picked[i]);
              return NULL;
            }
        }
      /* a ranking orders every choice, as ODK Collect saves it */
      if (def->control->kind == BODY_RANK && g_strv_length (picked) != choices->len)
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                       "%s: a ranking orders all %u choices, not %u", ref, choices->len, g_strv_length (picked));
          return NULL;
        }
    }
  if (def->control != NULL && def->control->kind == BODY_RANGE)
    {
      BodyNode *range = def->control;
      double number = g_ascii_strtod (text, NULL);
      double low = MIN (range->range_start, range->range_end);
      double high = MAX (range->range_start, range->range_end);
      double steps = (number - range->range_start) / range->range_step;

      if (number < low || number > high || fabs (steps - round (steps)) > 1e-9)
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                       "%s: %s is not on the range from %g to %g in steps of %g",
                       ref, text, range->range_start, range->range_end, range->range_step);
          return NULL;
        }
    }
  return g_steal_pointer (&text);
}

/* Runs the xforms-value-changed setvalues of the question at @node; a
 * target inside the same repeat instance is the one set. */
static void
fire_value_changed (ClmrsFormSession *session,
                    xmlNode          *node)
{
  ClmrsForm *form = session->form;
  NodeDef *def = def_of (node);

  for (guint i = 0; i < form->setvalues->len; i++)
    {
      SetValue *setvalue = form->setvalues->pdata[i];
      xmlNode *scope = node;
      xmlNode *target;

      if (setvalue->trigger != def)
        continue;
      while (scope != NULL && scope->type == XML_ELEMENT_NODE &&
             !is_ancestor_or_self (def_of (scope), setvalue->target))
        scope = scope->parent;
      if (scope == NULL || scope->type != XML_ELEMENT_NODE)
        continue;
      target = find_below (scope, setvalue->target);
      if (target == NULL)
        continue;
      run_setvalue (session, setvalue, target);
      recalculate_from (session, setvalue->target);
    }
}

/* The leaf @ref names, or NULL with NO_SUCH_NODE. */
static xmlNode *
resolve_leaf (ClmrsFormSession  *session,
              const char        *ref,
              GError           **error)
{
  xmlNode *node = resolve_ref (session, ref);
  NodeDef *def = def_of (node);

  if (node == NULL || def == NULL || !def_is_leaf (def))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                   "%s names no question of form %s", ref ? ref : "(null)", session->form->id);
      return NULL;
    }
  return node;
}

/* Stores @value (normalised: trimmed, select values single-spaced) and
 * recomputes what depends on it.  Refuses, storing nothing: an unknown
 * ref or a group (NO_SUCH_NODE), a calculated or readonly node (READONLY),
 * a value outside the type or the choices offered now (TYPE). */
gboolean
clmrs_form_session_set_answer (ClmrsFormSession  *session,
                               const char        *ref,
                               const char        *value,
                               GError           **error)
{
  xmlNode *node;
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  node = resolve_leaf (session, ref, error);
  if (node == NULL)
    return FALSE;
  if (is_readonly (session, node))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY,
                   "%s is %s", ref, def_of (node)->bind->calculate ? "calculated" : "read-only");
      return FALSE;
    }
  normalized = normalize_value (session, node, ref, value, TRUE, error);
  if (normalized == NULL)
    return FALSE;
  if (store_value (session, node, normalized))
    {
      recalculate_from (session, def_of (node));
      fire_value_changed (session, node);
    }
  return TRUE;
}

/* Returns: (transfer full) (nullable): the value, NULL when empty or unknown. */
char *
clmrs_form_session_get_answer (ClmrsFormSession *session,
                               const char       *ref)
{
  xmlNode *node;
  char *value;

  g_return_val_if_fail (session != NULL, NULL);

  node = resolve_ref (session, ref);
  if (node == NULL || def_of (node) == NULL || !def_is_leaf (def_of (node)))
    return NULL;
  value = read_value (session, node);
  if (value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static gboolean
language_is_french (ClmrsFormSession *session)
{
  const char *lang = session->language;

  return lang != NULL && (strstr (lang, "(fr)") != NULL || g_ascii_strncasecmp (lang, "fr", 2) == 0);
}

static ClmrsCheck
check_node (ClmrsFormSession  *session,
            xmlNode           *node,
            char             **message)
{
  Bind *bind = def_of (node)->bind;
  gboolean empty = !node_has_value (node);

  if (bind == NULL || !is_relevant (session, node))
    return CLMRS_CHECK_OK;
  if (empty && is_required (session, node))
    {
      if (message != NULL)
        {
          *message = render_label (session, bind->required_msg, node);
          if (*message == NULL)
            *message = g_strdup (language_is_french (session) ? "Cette réponse est obligatoire."
                                                              : "This answer is required.");
        }
      return CLMRS_CHECK_REQUIRED;
    }
  if (!empty && bind->constraint != NULL && !evaluate_boolean (session, bind->constraint, node, TRUE))
    {
      if (message != NULL)
        {
          *message = render_label (session, bind->constraint_msg, node);
          if (*message == NULL)
            *message = g_strdup (language_is_french (session) ? "Cette réponse n'est pas acceptée."
                                                              : "This answer is not accepted.");
        }
      return CLMRS_CHECK_CONSTRAINT;
    }
  return CLMRS_CHECK_OK;
}

/* REQUIRED when relevant, required and empty; CONSTRAINT when not empty
 * and the constraint is false; @message then holds the translated
 * jr:requiredMsg / jr:constraintMsg or a default. OK for anything else. */
ClmrsCheck
clmrs_form_session_check (ClmrsFormSession  *session,
                          const char        *ref,
                          char             **message)
{
  xmlNode *node;

  g_return_val_if_fail (session != NULL, CLMRS_CHECK_OK);

  if (message != NULL)
    *message = NULL;
  node = resolve_ref (session, ref);
  if (node == NULL || def_of (node) == NULL)
    return CLMRS_CHECK_OK;
  return check_node (session, node, message);
}

static void
validate_subtree (ClmrsFormSession *session,
                  xmlNode          *node,
                  GPtrArray        *problems)
{
  NodeDef *def = def_of (node);
  g_autofree char *message = NULL;

  if (def == NULL || g_hash_table_contains (session->nonrelevant, node))
    return;
  if (def_is_leaf (def))
    {
      if (check_node (session, node, &message) != CLMRS_CHECK_OK)
        {
          ClmrsFormProblem *problem = g_new0 (ClmrsFormProblem, 1);
          problem->file = g_strdup (session->form->origin);
          problem->line = def->bind ? def->bind->line : 0;
          problem->node = ref_of (node);
          problem->reason = g_steal_pointer (&message);
          g_ptr_array_add (problems, problem);
        }
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      validate_subtree (session, child, problems);
}

/* Every relevant leaf failing clmrs_form_session_check(), in document
 * order (node = its ref, reason = the message). Empty: may be finalised. */
GPtrArray *
clmrs_form_session_validate (ClmrsFormSession *session)
{
  GPtrArray *problems;

  g_return_val_if_fail (session != NULL, NULL);

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_problem_free);
  validate_subtree (session, xmlDocGetRootElement (session->doc), problems);
  return problems;
}

/* ------------------------------------------------------------------ */
/* Repeats                                                             */

/* The parent node and repeat def for "/h/children/child" (outer repeat
 * steps indexed), or NULL with NO_SUCH_NODE. */
static xmlNode *
resolve_repeat (ClmrsFormSession  *session,
                const char        *repeat_path,
                NodeDef          **def_out,
                GError           **error)
{
  g_autofree char *parent_ref = NULL;
  const char *slash = repeat_path ? strrchr (repeat_path, '/') : NULL;
  xmlNode *parent;
  NodeDef *def;

  if (slash == NULL || slash == repeat_path)
    goto fail;
  parent_ref = g_strndup (repeat_path, slash - repeat_path);
  parent = resolve_ref (session, parent_ref);
  def = def_child (def_of (parent), slash + 1);
  if (parent == NULL || def == NULL || !def->repeat)
    goto fail;
  *def_out = def;
  return parent;

fail:
  g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
               "%s names no repeat of form %s", repeat_path ? repeat_path : "(null)", session->form->id);
  return NULL;
}

/* Returns: (transfer full): the new instance's ref, "/h/children/child[3]". */
char *
clmrs_form_session_add_repeat (ClmrsFormSession  *session,
                               const char        *repeat_path,
                               GError           **error)
{
  NodeDef *def = NULL;
  xmlNode *parent, *instance;

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parent = resolve_repeat (session, repeat_path, &def, error);
  if (parent == NULL)
    return NULL;
  if (def->repeat_body != NULL && (def->repeat_body->count != NULL || def->repeat_body->no_add_remove))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY,
                   "%s: its instances are %s", repeat_path,
                   def->repeat_body->count ? "counted by jr:count" : "fixed (jr:noAddRemove)");
      return NULL;
    }
  instance = create_instance (session, parent, def, TRUE);
  settle_new_instance (session, def, instance);
  return ref_of (instance);
}

/* Removes a repeat instance; later instances move up one index.  Refused
 * for jr:count and jr:noAddRemove repeats (READONLY). */
gboolean
clmrs_form_session_remove_repeat (ClmrsFormSession  *session,
                                  const char        *instance_ref,
                                  GError           **error)
{
  xmlNode *node;
  NodeDef *def;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  node = resolve_ref (session, instance_ref);
  def = def_of (node);
  if (node == NULL || def == NULL || !def->repeat)
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                   "%s names no repeat instance of form %s", instance_ref ? instance_ref : "(null)",
                   session->form->id);
      return FALSE;
    }
  if (def->repeat_body != NULL && (def->repeat_body->count != NULL || def->repeat_body->no_add_remove))
    {
      g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY,
                   "%s: its instances are %s", instance_ref,
                   def->repeat_body->count ? "counted by jr:count" : "fixed (jr:noAddRemove)");
      return FALSE;
    }
  remove_instance (session, node);
  recalculate_all (session, FALSE);
  return TRUE;
}

/* The number of instances of @repeat_path (0 when it names no repeat). */
guint
clmrs_form_session_count_repeat (ClmrsFormSession *session,
                                 const char       *repeat_path)
{
  NodeDef *def = NULL;
  xmlNode *parent;

  g_return_val_if_fail (session != NULL, 0);

  parent = resolve_repeat (session, repeat_path, &def, NULL);
  return parent != NULL ? count_instances (parent, def, NULL) : 0;
}

/* The relevant instances of @repeat_path in document order, each with the
 * clmrs:field answers that name it (empty when it names no repeat). */
GPtrArray *
clmrs_form_session_list_repeat_instances (ClmrsFormSession *session,
                                          const char       *repeat_path)
{
  GPtrArray *out;
  NodeDef *def = NULL;
  xmlNode *parent;
  guint position = 0;

  g_return_val_if_fail (session != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_repeat_instance_free);
  parent = resolve_repeat (session, repeat_path, &def, NULL);
  for (xmlNode *child = parent != NULL ? parent->children : NULL; child != NULL; child = child->next)
    {
      ClmrsRepeatInstance *instance;

      if (def_of (child) != def || !is_relevant (session, child))
        continue;
      instance = g_new0 (ClmrsRepeatInstance, 1);
      instance->ref = ref_of (child);
      instance->position = ++position;
      instance->name = instance_field (session, child, "name");
      instance->sex = instance_field (session, child, "sex");
      instance->age = instance_field (session, child, "age");
      g_ptr_array_add (out, instance);
    }
  return out;
}

/* ------------------------------------------------------------------ */
/* Drafts                                                              */

void
clmrs_form_value_free (ClmrsFormValue *value)
{
  if (value == NULL)
    return;
  g_free (value->ref);
  g_free (value->value);
  g_free (value);
}

static void
list_subtree (ClmrsFormSession *session,
              xmlNode          *node,
              GPtrArray        *out)
{
  NodeDef *def = def_of (node);

  if (def == NULL)
    return;
  if (def->repeat)
    {
      ClmrsFormValue *value = g_new0 (ClmrsFormValue, 1);
      value->ref = ref_of (node);
      g_ptr_array_add (out, value);
    }
  if (def_is_leaf (def))
    {
      g_autofree char *text = read_value (session, node);
      if (text[0] != '\0')
        {
          ClmrsFormValue *value = g_new0 (ClmrsFormValue, 1);
          value->ref = ref_of (node);
          value->value = g_steal_pointer (&text);
          g_ptr_array_add (out, value);
        }
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      list_subtree (session, child, out);
}

/* Every non-empty leaf (calculated ones and instanceID included) and every
 * repeat instance (value NULL), in document order: a draft. */
GPtrArray *
clmrs_form_session_list_values (ClmrsFormSession *session)
{
  GPtrArray *out;

  g_return_val_if_fail (session != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_value_free);
  list_subtree (session, xmlDocGetRootElement (session->doc), out);
  return out;
}

/* Empties every leaf and removes every repeat instance below @node. */
static void
clear_subtree (ClmrsFormSession *session,
               xmlNode          *node)
{
  xmlNode *child = node->children;
  NodeDef *def = def_of (node);

  if (def != NULL && def_is_leaf (def))
    {
      set_node_value (node, NULL);
      return;
    }
  while (child != NULL)
    {
      xmlNode *next = child->next;
      NodeDef *child_def = def_of (child);
      if (child_def != NULL && child_def->repeat)
        remove_instance (session, child);
      else if (child->type == XML_ELEMENT_NODE)
        clear_subtree (session, child);
      child = next;
    }
}

/* Restores a draft listed by clmrs_form_session_list_values(): the
 * instance is emptied, then every repeat instance and value put back. */
gboolean
clmrs_form_session_apply_values (ClmrsFormSession  *session,
                                 GPtrArray         *values,
                                 GError           **error)
{
  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  clear_subtree (session, xmlDocGetRootElement (session->doc));
  g_hash_table_remove_all (session->nonrelevant);
  g_hash_table_remove_all (session->stash);
  for (guint i = 0; i < values->len; i++)
    {
      ClmrsFormValue *value = values->pdata[i];
      xmlNode *node;

      if (value->value == NULL)
        {
          g_autofree char *path = NULL;
          const char *bracket = value->ref ? strrchr (value->ref, '[') : NULL;
          guint64 index = bracket ? g_ascii_strtoull (bracket + 1, NULL, 10) : 0;
          NodeDef *def = NULL;
          xmlNode *parent;

          if (bracket == NULL || index == 0 || index > 10000)
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                           "%s names no repeat instance", value->ref ? value->ref : "(null)");
              return FALSE;
            }
          path = g_strndup (value->ref, bracket - value->ref);
          parent = resolve_repeat (session, path, &def, error);
          if (parent == NULL)
            return FALSE;
          while (count_instances (parent, def, NULL) < index)
            clear_subtree (session, create_instance (session, parent, def, FALSE));
          continue;
        }
      node = resolve_leaf (session, value->ref, error);
      if (node == NULL)
        return FALSE;
      if (!text_ok (value->value) || !lexical_ok (type_of (def_of (node)), value->value))
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                       "%s: '%s' is not a valid %s", value->ref, value->value,
                       type_name (type_of (def_of (node))));
          return FALSE;
        }
      store_value (session, node, value->value);
    }
  recalculate_all (session, FALSE);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static JsonNode *
json_of (ClmrsFormSession *session,
         xmlNode          *node)
{
  NodeDef *def = def_of (node);
  JsonObject *object;
  JsonNode *result;

  if (def_is_leaf (def))
    {
      g_autofree char *value = node_value (node);
      result = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (result, value);
      return result;
    }
  object = json_object_new ();
  for (guint i = 0; i < def->children->len; i++)
    {
      NodeDef *child_def = def->children->pdata[i];
      if (child_def->repeat)
        {
          JsonArray *array = json_array_new ();
          for (xmlNode *child = node->children; child != NULL; child = child->next)
            if (def_of (child) == child_def && !g_hash_table_contains (session->nonrelevant, child))
              json_array_add_element (array, json_of (session, child));
          json_object_set_array_member (object, child_def->name, array);
        }
      else
        {
          xmlNode *child = find_below (node, child_def);
          if (child != NULL && !g_hash_table_contains (session->nonrelevant, child))
            json_object_set_member (object, child_def->name, json_of (session, child));
        }
    }
  result = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (result, object);
  return result;
}

/* The answers as one JSON object: the instance root's children by element
 * name, groups as objects, repeats as arrays, leaves as strings (in their
 * lexical form, "" when empty), non-relevant nodes left out. */
JsonNode *
clmrs_form_session_to_json (ClmrsFormSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);

  preload_subtree (session, xmlDocGetRootElement (session->doc), TRUE);
  return json_of (session, xmlDocGetRootElement (session->doc));
}

/* Removes from @copy (a full copy of @from) what is not relevant in @from. */
static void
prune_copy (ClmrsFormSession *session,
            xmlNode          *from,
            xmlNode          *copy)
{
  xmlNode *source = from->children;
  xmlNode *target = copy->children;

  while (source != NULL && target != NULL)
    {
      xmlNode *next_source = source->next;
      xmlNode *next_target = target->next;

      if (source->type == XML_ELEMENT_NODE)
        {
          if (g_hash_table_contains (session->nonrelevant, source))
            {
              xmlUnlinkNode (target);
              xmlFreeNode (target);
            }
          else
            prune_copy (session, source, target);
        }
      source = next_source;
      target = next_target;
    }
}

/* The submission XML: the primary instance without non-relevant nodes. */
char *
clmrs_form_session_to_xml (ClmrsFormSession *session)
{
  xmlDoc *doc;
  xmlNode *root;
  xmlChar *buffer = NULL;
  int size = 0;
  char *text;

  g_return_val_if_fail (session != NULL, NULL);

  preload_subtree (session, xmlDocGetRootElement (session->doc), TRUE);
  doc = xmlNewDoc ((const xmlChar *) "1.0");
  root = xmlDocCopyNode (xmlDocGetRootElement (session->doc), doc, 1);
  xmlDocSetRootElement (doc, root);
  prune_copy (session, xmlDocGetRootElement (session->doc), root);
  xmlDocDumpFormatMemoryEnc (doc, &buffer, &size, "UTF-8", 1);
  text = g_strndup ((const char *) buffer, size);
  xmlFree (buffer);
  xmlFreeDoc (doc);
  return text;
}

static char *
json_scalar (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    default:
      return NULL;
    }
}

static gboolean
load_json_into (ClmrsFormSession  *session,
                xmlNode           *node,
                JsonNode          *json,
                GError           **error)
{
  NodeDef *def = def_of (node);
  g_autofree char *ref = ref_of (node);
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (def_is_leaf (def))
    {
      Bind *bind = def->bind;
      g_autofree char *text = NULL;
      g_autofree char *normalized = NULL;

      if (bind != NULL && (bind->calculate != NULL || bind->preload != NULL))
        return TRUE;
      if (def == session->form->instance_id)
        return TRUE;
      if (!JSON_NODE_HOLDS_VALUE (json) && !JSON_NODE_HOLDS_NULL (json))
        goto bad_shape;
      text = json_scalar (json);
      if (text == NULL)
        goto bad_shape;
      normalized = normalize_value (session, node, ref, text, FALSE, error);
      if (normalized == NULL)
        return FALSE;
      store_value (session, node, normalized);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json))
    goto bad_shape;
  object = json_node_get_object (json);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      NodeDef *child_def = def_child (def, name);
      JsonNode *member = json_object_get_member (object, name);

      if (child_def == NULL)
        {
          g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                       "%s/%s: unknown key '%s' for form %s", ref, name, name, session->form->id);
          return FALSE;
        }
      if (child_def->repeat)
        {
          JsonArray *array;
          guint wanted;
          guint index = 0;

          if (!JSON_NODE_HOLDS_ARRAY (member))
            {
              g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
                           "%s/%s: a repeat must be an array", ref, name);
              return FALSE;
            }
          array = json_node_get_array (member);
          wanted = json_array_get_length (array);
          while (count_instances (node, child_def, NULL) < wanted)
            create_instance (session, node, child_def, TRUE);
          for (xmlNode *child = node->children; child != NULL;)
            {
              xmlNode *next = child->next;
              if (def_of (child) == child_def)
                {
                  if (index < wanted)
                    {
                      if (!load_json_into (session, child, json_array_get_element (array, index), error))
                        return FALSE;
                    }
                  else
                    remove_instance (session, child);
                  index++;
                }
              child = next;
            }
        }
      else
        {
          xmlNode *child = find_below (node, child_def);
          if (child == NULL || !load_json_into (session, child, member, error))
            {
              if (child == NULL)
                g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE,
                             "%s/%s is missing from the instance", ref, name);
              return FALSE;
            }
        }
    }
  return TRUE;

bad_shape:
  g_set_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE,
               "%s: the JSON value has the wrong shape for %s", ref,
               def_is_leaf (def) ? "a question" : "a group");
  return FALSE;
}

/* Pre-fills from the shape clmrs_form_session_to_json() gives.  Calculated
 * and preloaded nodes and meta/instanceID are skipped; an unknown key
 * (NO_SUCH_NODE) or a value of the wrong type or shape (TYPE) is an error
 * naming it.  Repeats get as many instances as the arrays have. */
gboolean
clmrs_form_session_load_json (ClmrsFormSession  *session,
                              JsonNode          *answers,
                              GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (answers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = load_json_into (session, xmlDocGetRootElement (session->doc), answers, error);
  recalculate_all (session, FALSE);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Entities                                                            */

void
clmrs_entity_data_free (ClmrsEntityData *data)
{
  if (data == NULL)
    return;
  g_free (data->ref);
  g_clear_pointer (&data->profile, json_object_unref);
  g_clear_pointer (&data->field_refs, json_object_unref);
  g_clear_pointer (&data->fields, json_object_unref);
  g_free (data);
}

typedef enum { PROFILE_STRING, PROFILE_NUMBER, PROFILE_BOOL, PROFILE_ARRAY } ProfileKind;

static ProfileKind
profile_kind (const char *field,
              ClmrsDataType type)
{
  static const char *bools[] = { "in_school", "night_work_7d", "immediate_danger" };
  static const char *arrays[] = { "tasks_7d", "tasks_12m", "tasks_since_last", "hazard_conditions", "abuse", "wfcl_signals" };
  static const char *numbers[] = { "age", "econ_hours_7d", "chores_hours_7d" };

  for (gsize i = 0; i < G_N_ELEMENTS (bools); i++)
    if (g_str_equal (field, bools[i]))
      return PROFILE_BOOL;
  for (gsize i = 0; i < G_N_ELEMENTS (arrays); i++)
    if (g_str_equal (field, arrays[i]))
      return PROFILE_ARRAY;
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (g_str_equal (field, numbers[i]))
      return PROFILE_NUMBER;
  switch (type)
    {
    case CLMRS_TYPE_INT:
    case CLMRS_TYPE_DECIMAL:
      return PROFILE_NUMBER;
    case CLMRS_TYPE_BOOLEAN:
      return PROFILE_BOOL;
    case CLMRS_TYPE_SELECT:
      return PROFILE_ARRAY;
    default:
      return PROFILE_STRING;
    }
}

/* Sets @field from @value typed as the profile wants; a value that does
 * not convert stays a string, for the rules to report. */
static void
set_profile_member (JsonObject    *profile,
                    const char    *field,
                    ClmrsDataType  type,
                    const char    *value)
{
  switch (profile_kind (field, type))
    {
    case PROFILE_BOOL:
      if (g_str_equal (value, "yes") || g_str_equal (value, "true") || g_str_equal (value, "1"))
        json_object_set_boolean_member (profile, field, TRUE);
      else if (g_str_equal (value, "no") || g_str_equal (value, "false") || g_str_equal (value, "0"))
        json_object_set_boolean_member (profile, field, FALSE);
      else
        json_object_set_string_member (profile, field, value);
      return;
    case PROFILE_NUMBER:
      if (is_decimal (value))
        {
          double number = g_ascii_strtod (value, NULL);
          if (number == trunc (number) && fabs (number) < 1e15)
            json_object_set_int_member (profile, field, (gint64) number);
          else
            json_object_set_double_member (profile, field, number);
        }
      else
        json_object_set_string_member (profile, field, value);
      return;
    case PROFILE_ARRAY:
      {
        g_auto(GStrv) parts = g_strsplit_set (value, " \t\n", -1);
        JsonArray *array = json_array_new ();
        for (guint i = 0; parts[i] != NULL; i++)
          if (parts[i][0] != '\0')
            json_array_add_string_element (array, parts[i]);
        json_object_set_array_member (profile, field, array);
        return;
      }
    case PROFILE_STRING:
    default:
      json_object_set_string_member (profile, field, value);
      return;
    }
}

static void
gather_entity (ClmrsFormSession *session,
               xmlNode          *node,
               ClmrsEntityData  *data,
               gboolean          top,
               gboolean          relevant)
{
  NodeDef *def = def_of (node);
  Bind *bind;

  if (def == NULL)
    return;
  /* below a question not asked yet the refs are still known (to prefill
     them), the values are not */
  relevant = relevant && !g_hash_table_contains (session->nonrelevant, node);
  bind = def->bind;
  if (!top && bind != NULL && bind->entity != NULL)
    return;
  if (def_is_leaf (def))
    {
      g_autofree char *value = NULL;
      if (bind == NULL || (bind->profile == NULL && bind->field == NULL))
        return;
      if (!relevant && bind->field == NULL)
        return;
      value = g_strstrip (node_value (node));
      if (bind->field != NULL)
        {
          g_autofree char *leaf = ref_of (node);
          json_object_set_string_member (data->field_refs, bind->field, leaf);
        }
      if (!relevant || value[0] == '\0')
        {
          /* a relevant list left empty is a list with nothing in it (the
           * child did no hazardous task): XForms has no other way to say so */
          if (bind->profile != NULL && profile_kind (bind->profile, type_of (def)) == PROFILE_ARRAY)
            json_object_set_array_member (data->profile, bind->profile, json_array_new ());
          return;
        }
      if (bind->profile != NULL)
        set_profile_member (data->profile, bind->profile, type_of (def), value);
      if (bind->field != NULL)
        json_object_set_string_member (data->fields, bind->field, value);
      return;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      gather_entity (session, child, data, FALSE, relevant);
}

static void
gather_field_paths (NodeDef    *def,
                    NodeDef    *top,
                    JsonObject *field_paths)
{
  if (def != top && (def->repeat || (def->bind != NULL && def->bind->entity != NULL)))
    return;   /* a nested repeat or entity has fields of its own */
  if (def_is_leaf (def))
    {
      if (def != top && def->bind != NULL && def->bind->field != NULL &&
          !json_object_has_member (field_paths, def->bind->field))
        json_object_set_string_member (field_paths, def->bind->field, def->path + strlen (top->path) + 1);
      return;
    }
  for (guint i = 0; def->children != NULL && i < def->children->len; i++)
    gather_field_paths (def->children->pdata[i], top, field_paths);
}

/* One ClmrsEntityData per repeat bound with clmrs:entity=@entity (so also
 * while it has no instance), in document order: ref is the repeat's path
 * without indices ("/h/children/child"), field_refs maps each clmrs:field
 * below it (not below a nested repeat or entity) to its leaf's path
 * relative to one instance ("identity/name"); profile and fields are empty. */
GPtrArray *
clmrs_form_get_entity_repeats (ClmrsForm  *form,
                               const char *entity)
{
  GPtrArray *out;

  g_return_val_if_fail (form != NULL, NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_entity_data_free);
  for (guint i = 0; i < form->binds->len; i++)
    {
      Bind *bind = form->binds->pdata[i];
      ClmrsEntityData *data;

      if (g_strcmp0 (bind->entity, entity) != 0 || !bind->def->repeat)
        continue;
      data = g_new0 (ClmrsEntityData, 1);
      data->ref = g_strdup (bind->def->path);
      data->profile = json_object_new ();
      data->fields = json_object_new ();
      data->field_refs = json_object_new ();
      gather_field_paths (bind->def, bind->def, data->field_refs);
      g_ptr_array_add (out, data);
    }
  return out;
}

/* One ClmrsEntityData per relevant instance of each group or repeat bound
 * with clmrs:entity=@entity, in document order: its clmrs:profile values
 * typed for the rules, its clmrs:field values as strings; empty and
 * non-relevant values are left out (their field refs are given), nested
 * entities keep their own. */
GPtrArray *
clmrs_form_session_get_entities (ClmrsFormSession *session,
                                 const char       *entity)
{
  GPtrArray *out;
  ClmrsForm *form;

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  form = session->form;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_entity_data_free);
  for (guint i = 0; i < form->binds->len; i++)
    {
      Bind *bind = form->binds->pdata[i];
      g_autoptr(GPtrArray) nodes = NULL;

      if (g_strcmp0 (bind->entity, entity) != 0)
        continue;
      nodes = nodes_of (session, bind->def);
      for (guint n = 0; n < nodes->len; n++)
        {
          ClmrsEntityData *data;
          if (!is_relevant (session, nodes->pdata[n]))
            continue;
          data = g_new0 (ClmrsEntityData, 1);
          data->ref = ref_of (nodes->pdata[n]);
          data->profile = json_object_new ();
          data->fields = json_object_new ();
          data->field_refs = json_object_new ();
          gather_entity (session, nodes->pdata[n], data, TRUE, TRUE);
          g_ptr_array_add (out, data);
        }
    }
  return out;
}
