/* xpath-parse.c: the engine's one XPath 1.0 parser: tokens, a syntax tree, and edits on the source. */
#define G_LOG_DOMAIN "clmrs-xpath"

#include "xpath-parse.h"

#include <string.h>

G_DEFINE_QUARK (clmrs-xpath-error-quark, clmrs_xpath_error)

/* Nesting (parentheses, predicates, arguments, unary minus) beyond this is an
 * error rather than a deep recursion. */
#define MAX_DEPTH 128

/* ------------------------------------------------------------------------ */
/* Tokens (XPath 1.0 section 3.7)                                           */

typedef struct {
  const char      *expr;
  gsize            len;
  GArray          *tokens;   /* ClmrsXPathToken */
  guint            pos;      /* index of the current token */
  guint            depth;
  ClmrsXPathTree  *tree;     /* what the parse builds */
  GError         **error;
} Parser;

static gboolean
is_operator (ClmrsXPathTokenKind kind)
{
  return kind >= CLMRS_XPATH_TOKEN_AND;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* NCName characters, with every non-ASCII byte taken as a name character
 * (libxml2 checks the exact Unicode classes when it compiles). */
static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || (guchar) c >= 0x80;
}

static gboolean
is_name_char (char c)
{
  return is_name_start (c) || g_ascii_isdigit (c) || c == '.' || c == '-';
}

static gsize
scan_ncname (const char *s,
             gsize       i)
{
  while (is_name_char (s[i]))
    i++;
  return i;
}

static gboolean
span_is (const char *s,
         gsize       start,
         gsize       end,
         const char *word)
{
  gsize n = strlen (word);

  return end - start == n && memcmp (s + start, word, n) == 0;
}

static gboolean
span_is_one_of (const char        *s,
                gsize              start,
                gsize              end,
                const char *const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (span_is (s, start, end, words[i]))
      return TRUE;
  return FALSE;
}

/* Sets a syntax error at byte @offset.  Returns FALSE for tail calls. */
G_GNUC_PRINTF (4, 5)
static gboolean
fail_at (Parser     *p,
         int         code,
         gsize       offset,
         const char *format,
         ...)
{
  va_list args;
  g_autofree char *problem = NULL;
  glong character = g_utf8_pointer_to_offset (p->expr, p->expr + offset) + 1;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);
  if (p->error != NULL && *p->error == NULL)
    g_set_error (p->error, CLMRS_XPATH_ERROR, code,
                 "invalid XPath at character %ld of \"%s\": %s",
                 character, p->expr, problem);
  return FALSE;
}

/* A token as quoted text for error messages (long ones cut short). */
static char *
describe (Parser      *p,
          const ClmrsXPathToken *t)
{
  g_autofree char *text = NULL;

  if (t->kind == CLMRS_XPATH_TOKEN_END)
    return g_strdup ("the end of the expression");
  text = g_strndup (p->expr + t->start, t->end - t->start);
  if (g_utf8_strlen (text, -1) > 30)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, 27);
      return g_strdup_printf ("'%s...'", cut);
    }
  return g_strdup_printf ("'%s'", text);
}

static gboolean
push_token (Parser *p,
            ClmrsXPathTokenKind kind,
            gsize   start,
            gsize   end)
{
  ClmrsXPathToken t = { kind, start, end };

  g_array_append_val (p->tokens, t);
  return TRUE;
}

/* Reads one NCName-based token at @i (a name start) into the token list,
 * applying the disambiguation rules.  Sets *@next past it. */
static gboolean
lex_name (Parser  *p,
          gsize    i,
          gboolean operator_context,
          gsize   *next)
{
  static const char *const operator_names[] = { "and", "or", "mod", "div", NULL };
  static const char *const node_types[] = { "comment", "text", "processing-instruction",
                                            "node", NULL };
  static const char *const axes[] = { "ancestor", "ancestor-or-self", "attribute", "child",
                                      "descendant", "descendant-or-self", "following",
                                      "following-sibling", "namespace", "parent",
                                      "preceding", "preceding-sibling", "self", NULL };
  const char *s = p->expr;
  gsize end = scan_ncname (s, i);
  gboolean prefixed = FALSE;
  gsize k;

  /* Rule 1: after a token that ends an operand, a name is an operator. */
  if (operator_context)
    {
      static const ClmrsXPathTokenKind kinds[] = { CLMRS_XPATH_TOKEN_AND, CLMRS_XPATH_TOKEN_OR,
                                                   CLMRS_XPATH_TOKEN_MOD, CLMRS_XPATH_TOKEN_DIV };

      for (guint w = 0; operator_names[w] != NULL; w++)
        if (span_is (s, i, end, operator_names[w]))
          {
            *next = end;
            return push_token (p, kinds[w], i, end);
          }
      return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i,
                      "expected an operator, found '%.*s'", (int) (end - i), s + i);
    }

  if (s[end] == ':' && s[end + 1] != ':')
    {
      if (s[end + 1] == '*')
        {
          *next = end + 2;
          return push_token (p, CLMRS_XPATH_TOKEN_NAMETEST, i, end + 2);
        }
      if (!is_name_start (s[end + 1]))
        return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, end,
                        "expected a name or '*' after '%.*s:'", (int) (end - i), s + i);
      end = scan_ncname (s, end + 1);
      prefixed = TRUE;
    }

  *next = end;
  for (k = end; is_space (s[k]); k++)
    ;
  /* Rule 2: a name before '(' is a node type or a function name. */
  if (s[k] == '(')
    {
      if (!prefixed && span_is_one_of (s, i, end, node_types))
        return push_token (p, CLMRS_XPATH_TOKEN_NODETYPE, i, end);
      return push_token (p, CLMRS_XPATH_TOKEN_FUNCTION, i, end);
    }
  /* Rule 3: a name before '::' is an axis name. */
  if (s[k] == ':' && s[k + 1] == ':')
    {
      if (prefixed || !span_is_one_of (s, i, end, axes))
        return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i,
                        "unknown axis '%.*s'", (int) (end - i), s + i);
      return push_token (p, CLMRS_XPATH_TOKEN_AXIS, i, end);
    }
  return push_token (p, CLMRS_XPATH_TOKEN_NAMETEST, i, end);
}

static gboolean
lex (Parser *p)
{
  const char *s = p->expr;
  gsize i = 0;

  for (;;)
    {
      gboolean operator_context = FALSE;
      gsize start;
      char c;

      while (is_space (s[i]))
        i++;
      start = i;
      if (i >= p->len)
        return push_token (p, CLMRS_XPATH_TOKEN_END, p->len, p->len);

      /* Rule 1 of section 3.7: a preceding token other than @ :: ( [ , or
       * an operator makes '*' a multiplication and a name an operator. */
      if (p->tokens->len > 0)
        {
          ClmrsXPathTokenKind prev = g_array_index (p->tokens, ClmrsXPathToken, p->tokens->len - 1).kind;

          operator_context = !(prev == CLMRS_XPATH_TOKEN_AT || prev == CLMRS_XPATH_TOKEN_COLONCOLON ||
                               prev == CLMRS_XPATH_TOKEN_LPAREN || prev == CLMRS_XPATH_TOKEN_LBRACKET ||
                               prev == CLMRS_XPATH_TOKEN_COMMA || is_operator (prev));
        }

      c = s[i];
      switch (c)
        {
        case '(': push_token (p, CLMRS_XPATH_TOKEN_LPAREN, i, i + 1); i++; break;
        case ')': push_token (p, CLMRS_XPATH_TOKEN_RPAREN, i, i + 1); i++; break;
        case '[': push_token (p, CLMRS_XPATH_TOKEN_LBRACKET, i, i + 1); i++; break;
        case ']': push_token (p, CLMRS_XPATH_TOKEN_RBRACKET, i, i + 1); i++; break;
        case '@': push_token (p, CLMRS_XPATH_TOKEN_AT, i, i + 1); i++; break;
        case ',': push_token (p, CLMRS_XPATH_TOKEN_COMMA, i, i + 1); i++; break;
        case '|': push_token (p, CLMRS_XPATH_TOKEN_PIPE, i, i + 1); i++; break;
        case '+': push_token (p, CLMRS_XPATH_TOKEN_PLUS, i, i + 1); i++; break;
        case '-': push_token (p, CLMRS_XPATH_TOKEN_MINUS, i, i + 1); i++; break;
        case '=': push_token (p, CLMRS_XPATH_TOKEN_EQ, i, i + 1); i++; break;

        case '*':
          push_token (p, operator_context ? CLMRS_XPATH_TOKEN_MUL : CLMRS_XPATH_TOKEN_NAMETEST, i, i + 1);
          i++;
          break;

        case '!':
          if (s[i + 1] != '=')
            return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i, "expected '=' after '!'");
          push_token (p, CLMRS_XPATH_TOKEN_NEQ, i, i + 2);
          i += 2;
          break;

        case '<':
        case '>':
          if (s[i + 1] == '=')
            {
              push_token (p, c == '<' ? CLMRS_XPATH_TOKEN_LE : CLMRS_XPATH_TOKEN_GE, i, i + 2);
              i += 2;
            }
          else
            {
              push_token (p, c == '<' ? CLMRS_XPATH_TOKEN_LT : CLMRS_XPATH_TOKEN_GT, i, i + 1);
              i++;
            }
          break;

        case '/':
          if (s[i + 1] == '/')
            {
              push_token (p, CLMRS_XPATH_TOKEN_DSLASH, i, i + 2);
              i += 2;
            }
          else
            {
              push_token (p, CLMRS_XPATH_TOKEN_SLASH, i, i + 1);
              i++;
            }
          break;

        case ':':
          if (s[i + 1] != ':')
            return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i, "unexpected ':'");
          push_token (p, CLMRS_XPATH_TOKEN_COLONCOLON, i, i + 2);
          i += 2;
          break;

        case '\'':
        case '"':
          {
            const char *close = memchr (s + i + 1, c, p->len - i - 1);

            if (close == NULL)
              return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i,
                              "the string literal starting here is not closed");
            push_token (p, CLMRS_XPATH_TOKEN_LITERAL, i, (gsize) (close - s) + 1);
            i = (gsize) (close - s) + 1;
          }
          break;

        case '$':
          {
            gsize end;

            if (!is_name_start (s[i + 1]))
              return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i,
                              "expected a variable name after '$'");
            end = scan_ncname (s, i + 1);
            if (s[end] == ':' && is_name_start (s[end + 1]))
              end = scan_ncname (s, end + 1);
            push_token (p, CLMRS_XPATH_TOKEN_VARIABLE, i, end);
            i = end;
          }
          break;

        case '.':
          if (s[i + 1] == '.')
            {
              push_token (p, CLMRS_XPATH_TOKEN_DOTDOT, i, i + 2);
              i += 2;
              break;
            }
          if (!g_ascii_isdigit (s[i + 1]))
            {
              push_token (p, CLMRS_XPATH_TOKEN_DOT, i, i + 1);
              i++;
              break;
            }
          /* '.' Digits */
          for (i++; g_ascii_isdigit (s[i]); i++)
            ;
          push_token (p, CLMRS_XPATH_TOKEN_NUMBER, start, i);
          break;

        default:
          if (g_ascii_isdigit (c))
            {
              while (g_ascii_isdigit (s[i]))
                i++;
              if (s[i] == '.')
                for (i++; g_ascii_isdigit (s[i]); i++)
                  ;
              push_token (p, CLMRS_XPATH_TOKEN_NUMBER, start, i);
            }
          else if (is_name_start (c))
            {
              if (!lex_name (p, i, operator_context, &i))
                return FALSE;
            }
          else if (g_ascii_isprint (c))
            return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i,
                            "unexpected character '%c'", c);
          else
            return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, i,
                            "unexpected character U+%04X", (guint) (guchar) c);
          break;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Parser (XPath 1.0 section 3, productions [1] to [39]) building the tree  */

static const ClmrsXPathToken *
current (Parser *p)
{
  return &g_array_index (p->tokens, ClmrsXPathToken, p->pos);
}

static ClmrsXPathTokenKind
peek (Parser *p)
{
  return current (p)->kind;
}

static void
advance (Parser *p)
{
  if (peek (p) != CLMRS_XPATH_TOKEN_END)
    p->pos++;
}

/* The index of the last token consumed. */
static guint
last_taken (Parser *p)
{
  return p->pos - 1;
}

/* Fails with "@what, found <current token>". */
static gboolean
fail_here (Parser     *p,
           const char *what)
{
  g_autofree char *found = describe (p, current (p));

  return fail_at (p, CLMRS_XPATH_ERROR_SYNTAX, current (p)->start,
                  "%s, found %s", what, found);
}

static gboolean
starts_step (ClmrsXPathTokenKind kind)
{
  return kind == CLMRS_XPATH_TOKEN_NAMETEST || kind == CLMRS_XPATH_TOKEN_NODETYPE ||
         kind == CLMRS_XPATH_TOKEN_AXIS || kind == CLMRS_XPATH_TOKEN_AT ||
         kind == CLMRS_XPATH_TOKEN_DOT || kind == CLMRS_XPATH_TOKEN_DOTDOT;
}

static gboolean
starts_primary (ClmrsXPathTokenKind kind)
{
  return kind == CLMRS_XPATH_TOKEN_VARIABLE || kind == CLMRS_XPATH_TOKEN_LPAREN ||
         kind == CLMRS_XPATH_TOKEN_LITERAL || kind == CLMRS_XPATH_TOKEN_NUMBER ||
         kind == CLMRS_XPATH_TOKEN_FUNCTION;
}

static gboolean
starts_expr (ClmrsXPathTokenKind kind)
{
  return kind == CLMRS_XPATH_TOKEN_MINUS || kind == CLMRS_XPATH_TOKEN_SLASH ||
         kind == CLMRS_XPATH_TOKEN_DSLASH || starts_step (kind) || starts_primary (kind);
}

/* Nodes and steps live in blocks freed with the tree: an expression has
 * dozens of them, so one allocation serves many. */
#define BLOCK_SIZE 4096

static gpointer
tree_alloc (Parser *p,
            gsize   size)
{
  ClmrsXPathTree *tree = p->tree;
  guint8 *block;

  size = (size + 15) & ~(gsize) 15;
  g_assert (size <= BLOCK_SIZE);
  if (tree->blocks->len == 0 || tree->block_used + size > BLOCK_SIZE)
    {
      g_ptr_array_add (tree->blocks, g_malloc (BLOCK_SIZE));
      tree->block_used = 0;
    }
  block = tree->blocks->pdata[tree->blocks->len - 1];
  tree->block_used += size;
  return memset (block + tree->block_used - size, 0, size);
}

static ClmrsXPathNode *
node_new (Parser             *p,
          ClmrsXPathNodeKind  kind,
          guint               first)
{
  ClmrsXPathNode *node = tree_alloc (p, sizeof (ClmrsXPathNode));

  node->kind = kind;
  node->first = first;
  node->last = first;
  return node;
}

static GPtrArray *
array_new (Parser *p)
{
  GPtrArray *array = g_ptr_array_new ();

  g_ptr_array_add (p->tree->arrays, array);
  return array;
}

static ClmrsXPathNode *parse_expr (Parser *p);

/* Consumes the binary operator at the current token and checks that an
 * operand follows it. */
static gboolean
take_operator (Parser *p)
{
  ClmrsXPathToken op = *current (p);
  g_autofree char *what = NULL;

  advance (p);
  if (starts_expr (peek (p)))
    return TRUE;
  /* the message is only written when it is needed: expressions are many */
  what = g_strdup_printf ("expected an expression after '%.*s'", (int) (op.end - op.start), p->expr + op.start);
  return fail_here (p, what);
}

/* Consumes the '/' or '//' at the current token and checks that a step
 * follows it. */
static gboolean
take_slash (Parser *p)
{
  gboolean dslash = peek (p) == CLMRS_XPATH_TOKEN_DSLASH;

  advance (p);
  if (starts_step (peek (p)))
    return TRUE;
  return fail_here (p, dslash ? "expected a location step after '//'" : "expected a location step after '/'");
}

static gboolean
expect_closing (Parser                *p,
                ClmrsXPathTokenKind    kind,
                const char            *closing,
                const ClmrsXPathToken *opening)
{
  g_autofree char *what = NULL;

  if (peek (p) == kind)
    {
      advance (p);
      return TRUE;
    }
  what = g_strdup_printf ("expected '%s' to close '%.*s' at character %ld", closing,
                          (int) (opening->end - opening->start), p->expr + opening->start,
                          g_utf8_pointer_to_offset (p->expr, p->expr + opening->start) + 1);
  return fail_here (p, what);
}

/* Predicates into *@out (created on the first one).  FALSE on an error. */
static gboolean
parse_predicates (Parser     *p,
                  GPtrArray **out)
{
  while (peek (p) == CLMRS_XPATH_TOKEN_LBRACKET)
    {
      ClmrsXPathToken open = *current (p);
      ClmrsXPathNode *predicate;

      advance (p);
      if ((predicate = parse_expr (p)) == NULL ||
          !expect_closing (p, CLMRS_XPATH_TOKEN_RBRACKET, "]", &open))
        return FALSE;
      if (*out == NULL)
        *out = array_new (p);
      g_ptr_array_add (*out, predicate);
    }
  return TRUE;
}

/* [4] Step, added to @path. */
static gboolean
parse_step (Parser         *p,
            ClmrsXPathNode *path,
            gboolean        descendant)
{
  const ClmrsXPathToken *t = current (p);
  ClmrsXPathStep *step = tree_alloc (p, sizeof (ClmrsXPathStep));

  step->first = p->pos;
  step->descendant = descendant;
  g_ptr_array_add (path->steps, step);

  if (t->kind == CLMRS_XPATH_TOKEN_DOT || t->kind == CLMRS_XPATH_TOKEN_DOTDOT)
    {
      step->kind = t->kind == CLMRS_XPATH_TOKEN_DOT ? CLMRS_XPATH_STEP_SELF : CLMRS_XPATH_STEP_PARENT;
      step->test = step->last = p->pos;
      advance (p);
      if (peek (p) == CLMRS_XPATH_TOKEN_LBRACKET)
        return fail_here (p, "a predicate cannot follow '.' or '..' in XPath 1.0 "
                             "(write self::node()[...])");
      return TRUE;
    }

  if (t->kind == CLMRS_XPATH_TOKEN_AXIS)
    {
      step->kind = CLMRS_XPATH_STEP_AXIS;
      advance (p);
      g_assert (peek (p) == CLMRS_XPATH_TOKEN_COLONCOLON);  /* the lexer saw it */
      advance (p);
      if (peek (p) != CLMRS_XPATH_TOKEN_NAMETEST && peek (p) != CLMRS_XPATH_TOKEN_NODETYPE)
        return fail_here (p, "expected a node test after '::'");
    }
  else if (t->kind == CLMRS_XPATH_TOKEN_AT)
    {
      step->kind = CLMRS_XPATH_STEP_ATTRIBUTE;
      advance (p);
      if (peek (p) != CLMRS_XPATH_TOKEN_NAMETEST && peek (p) != CLMRS_XPATH_TOKEN_NODETYPE)
        return fail_here (p, "expected a node test after '@'");
    }
  else
    step->kind = t->kind == CLMRS_XPATH_TOKEN_NODETYPE ? CLMRS_XPATH_STEP_NODE_TYPE : CLMRS_XPATH_STEP_NAME;

  t = current (p);
  step->test = p->pos;
  if (t->kind == CLMRS_XPATH_TOKEN_NAMETEST)
    advance (p);
  else if (t->kind == CLMRS_XPATH_TOKEN_NODETYPE)
    {
      gboolean pi = span_is (p->expr, t->start, t->end, "processing-instruction");
      ClmrsXPathToken open;

      advance (p);
      g_assert (peek (p) == CLMRS_XPATH_TOKEN_LPAREN);  /* the lexer saw it */
      open = *current (p);
      advance (p);
      if (pi && peek (p) == CLMRS_XPATH_TOKEN_LITERAL)
        advance (p);
      if (!expect_closing (p, CLMRS_XPATH_TOKEN_RPAREN, ")", &open))
        return FALSE;
    }
  else
    return fail_here (p, "expected a location step");

  if (!parse_predicates (p, &step->predicates))
    return FALSE;
  step->last = last_taken (p);
  return TRUE;
}

/* [3] RelativeLocationPath, added to @path; @descendant: it follows '//'. */
static gboolean
parse_relative_path (Parser         *p,
                     ClmrsXPathNode *path,
                     gboolean        descendant)
{
  if (!parse_step (p, path, descendant))
    return FALSE;
  while (peek (p) == CLMRS_XPATH_TOKEN_SLASH || peek (p) == CLMRS_XPATH_TOKEN_DSLASH)
    {
      gboolean dslash = peek (p) == CLMRS_XPATH_TOKEN_DSLASH;

      if (!take_slash (p) || !parse_step (p, path, dslash))
        return FALSE;
    }
  return TRUE;
}

/* [15] PrimaryExpr, [16] FunctionCall */
static ClmrsXPathNode *
parse_primary (Parser *p)
{
  ClmrsXPathToken t = *current (p);
  ClmrsXPathNode *node;

  switch (t.kind)
    {
    case CLMRS_XPATH_TOKEN_VARIABLE:
    case CLMRS_XPATH_TOKEN_LITERAL:
    case CLMRS_XPATH_TOKEN_NUMBER:
      node = node_new (p, t.kind == CLMRS_XPATH_TOKEN_VARIABLE ? CLMRS_XPATH_NODE_VARIABLE
                          : t.kind == CLMRS_XPATH_TOKEN_LITERAL ? CLMRS_XPATH_NODE_LITERAL
                          : CLMRS_XPATH_NODE_NUMBER, p->pos);
      advance (p);
      return node;

    case CLMRS_XPATH_TOKEN_LPAREN:
      node = node_new (p, CLMRS_XPATH_NODE_GROUP, p->pos);
      advance (p);
      if ((node->left = parse_expr (p)) == NULL ||
          !expect_closing (p, CLMRS_XPATH_TOKEN_RPAREN, ")", &t))
        return NULL;
      node->last = last_taken (p);
      return node;

    case CLMRS_XPATH_TOKEN_FUNCTION:
      {
        ClmrsXPathToken open;

        node = node_new (p, CLMRS_XPATH_NODE_CALL, p->pos);
        node->args = array_new (p);
        advance (p);
        g_assert (peek (p) == CLMRS_XPATH_TOKEN_LPAREN);  /* the lexer saw it */
        open = *current (p);
        advance (p);
        if (peek (p) == CLMRS_XPATH_TOKEN_RPAREN)
          {
            advance (p);
            node->last = last_taken (p);
            return node;
          }
        for (;;)
          {
            ClmrsXPathNode *arg = parse_expr (p);

            if (arg == NULL)
              return NULL;
            g_ptr_array_add (node->args, arg);
            if (peek (p) == CLMRS_XPATH_TOKEN_COMMA)
              {
                advance (p);
                continue;
              }
            if (peek (p) == CLMRS_XPATH_TOKEN_RPAREN)
              {
                advance (p);
                node->last = last_taken (p);
                return node;
              }
            {
              g_autofree char *what =
                g_strdup_printf ("expected ',' or ')' after an argument of '%.*s()' "
                                 "opened at character %ld",
                                 (int) (t.end - t.start), p->expr + t.start,
                                 g_utf8_pointer_to_offset (p->expr, p->expr + open.start) + 1);
              fail_here (p, what);
              return NULL;
            }
          }
      }

    default:
      fail_here (p, "expected an expression");
      return NULL;
    }
}

/* [19] PathExpr, [20] FilterExpr, [1] LocationPath.  A primary expression
 * with neither predicates nor steps is returned as it is. */
static ClmrsXPathNode *
parse_path (Parser *p)
{
  ClmrsXPathTokenKind kind = peek (p);
  ClmrsXPathNode *path;
  gboolean ok;

  if (starts_primary (kind))
    {
      ClmrsXPathNode *filter = parse_primary (p);
      GPtrArray *predicates = NULL;
      gboolean dslash;

      if (filter == NULL || !parse_predicates (p, &predicates))
        return NULL;
      if (peek (p) != CLMRS_XPATH_TOKEN_SLASH && peek (p) != CLMRS_XPATH_TOKEN_DSLASH && predicates == NULL)
        return filter;
      path = node_new (p, CLMRS_XPATH_NODE_PATH, filter->first);
      path->filter = filter;
      path->filter_predicates = predicates;
      path->steps = array_new (p);
      if (peek (p) != CLMRS_XPATH_TOKEN_SLASH && peek (p) != CLMRS_XPATH_TOKEN_DSLASH)
        {
          path->last = last_taken (p);
          return path;
        }
      dslash = peek (p) == CLMRS_XPATH_TOKEN_DSLASH;
      ok = take_slash (p) && parse_relative_path (p, path, dslash);
    }
  else
    {
      path = node_new (p, CLMRS_XPATH_NODE_PATH, p->pos);
      path->steps = array_new (p);
      if (kind == CLMRS_XPATH_TOKEN_SLASH)
        {
          path->absolute = TRUE;
          advance (p);
          ok = !starts_step (peek (p)) || parse_relative_path (p, path, FALSE);
        }
      else if (kind == CLMRS_XPATH_TOKEN_DSLASH)
        {
          path->absolute = TRUE;
          ok = take_slash (p) && parse_relative_path (p, path, TRUE);
        }
      else if (starts_step (kind))
        ok = parse_relative_path (p, path, FALSE);
      else
        ok = fail_here (p, "expected an expression");
    }
  if (!ok)
    return NULL;
  path->last = last_taken (p);
  return path;
}

/* A binary node @left op right, where the operator is the current token. */
static ClmrsXPathNode *
binary_new (Parser         *p,
            ClmrsXPathNode *left)
{
  ClmrsXPathNode *node = node_new (p, CLMRS_XPATH_NODE_BINARY, left->first);

  node->op = peek (p);
  node->left = left;
  return node;
}

/* Finishes @node with its right operand (NULL on an error). */
static ClmrsXPathNode *
binary_end (Parser         *p,
            ClmrsXPathNode *node,
            ClmrsXPathNode *right)
{
  if (right == NULL)
    return NULL;
  node->right = right;
  node->last = right->last;
  return node;
}

/* [18] UnionExpr */
static ClmrsXPathNode *
parse_union (Parser *p)
{
  ClmrsXPathNode *node = parse_path (p);

  while (node != NULL && peek (p) == CLMRS_XPATH_TOKEN_PIPE)
    {
      ClmrsXPathNode *op = binary_new (p, node);

      node = take_operator (p) ? binary_end (p, op, parse_path (p)) : NULL;
    }
  return node;
}

/* [27] UnaryExpr */
static ClmrsXPathNode *
parse_unary (Parser *p)
{
  ClmrsXPathNode *node;

  if (peek (p) != CLMRS_XPATH_TOKEN_MINUS)
    return parse_union (p);
  if (p->depth >= MAX_DEPTH)
    {
      fail_at (p, CLMRS_XPATH_ERROR_TOO_DEEP, current (p)->start,
               "nested more than %d levels deep", MAX_DEPTH);
      return NULL;
    }
  node = node_new (p, CLMRS_XPATH_NODE_NEGATE, p->pos);
  if (!take_operator (p))
    return NULL;
  p->depth++;
  node->left = parse_unary (p);
  p->depth--;
  if (node->left == NULL)
    return NULL;
  node->last = node->left->last;
  return node;
}

/* [21] OrExpr to [26] MultiplicativeExpr, loosest first: each level is
 * left associative over the next one (a < b < c is (a < b) < c), the last
 * over UnaryExpr. */
static const ClmrsXPathTokenKind binary_levels[][5] = {
  { CLMRS_XPATH_TOKEN_OR },
  { CLMRS_XPATH_TOKEN_AND },
  { CLMRS_XPATH_TOKEN_EQ, CLMRS_XPATH_TOKEN_NEQ },
  { CLMRS_XPATH_TOKEN_LT, CLMRS_XPATH_TOKEN_LE, CLMRS_XPATH_TOKEN_GT, CLMRS_XPATH_TOKEN_GE },
  { CLMRS_XPATH_TOKEN_PLUS, CLMRS_XPATH_TOKEN_MINUS },
  { CLMRS_XPATH_TOKEN_MUL, CLMRS_XPATH_TOKEN_DIV, CLMRS_XPATH_TOKEN_MOD },
};
#define RELATIONAL_LEVEL 3

static gboolean
at_level_operator (Parser *p,
                   guint   level)
{
  for (guint i = 0; binary_levels[level][i] != CLMRS_XPATH_TOKEN_END; i++)
    if (peek (p) == binary_levels[level][i])
      return TRUE;
  return FALSE;
}

static ClmrsXPathNode *
parse_level (Parser *p,
             guint   level)
{
  ClmrsXPathNode *node;

  if (level == G_N_ELEMENTS (binary_levels))
    return parse_unary (p);
  node = parse_level (p, level + 1);
  while (node != NULL && at_level_operator (p, level))
    {
      ClmrsXPathNode *op = binary_new (p, node);

      node = take_operator (p) ? binary_end (p, op, parse_level (p, level + 1)) : NULL;
      /* each comparison is also listed in the tree, for the rewrite */
      if (node != NULL && level == RELATIONAL_LEVEL)
        g_ptr_array_add (p->tree->comparisons, node);
    }
  return node;
}

/* [14] Expr */
static ClmrsXPathNode *
parse_expr (Parser *p)
{
  ClmrsXPathNode *node;

  if (p->depth >= MAX_DEPTH)
    {
      fail_at (p, CLMRS_XPATH_ERROR_TOO_DEEP, current (p)->start,
               "nested more than %d levels deep", MAX_DEPTH);
      return NULL;
    }
  p->depth++;
  node = parse_level (p, 0);
  p->depth--;
  return node;
}

/* ------------------------------------------------------------------------ */
/* The tree                                                                 */

void
clmrs_xpath_tree_free (ClmrsXPathTree *tree)
{
  if (tree == NULL)
    return;
  g_ptr_array_unref (tree->arrays);
  g_ptr_array_unref (tree->blocks);
  g_ptr_array_unref (tree->comparisons);
  g_array_unref (tree->tokens);
  g_free (tree->source);
  g_free (tree);
}

/**
 * clmrs_xpath_parse:
 * @expr: an XPath 1.0 expression (UTF-8, entities already decoded)
 * @error: return location for a %CLMRS_XPATH_ERROR
 *
 * Checks @expr against the XPath 1.0 grammar and builds its tree: the
 * expression's structure, with every node and step pointing at its tokens
 * (byte spans of @expr), and the list of its relational comparisons.
 *
 * Returns: (transfer full) (nullable): the tree, or %NULL with @error naming
 * the character position and the problem.
 */
ClmrsXPathTree *
clmrs_xpath_parse (const char  *expr,
                   GError     **error)
{
  const char *bad = NULL;
  g_autoptr(ClmrsXPathTree) tree = NULL;
  Parser p = { 0, };

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (expr, -1, &bad))
    {
      g_set_error (error, CLMRS_XPATH_ERROR, CLMRS_XPATH_ERROR_SYNTAX,
                   "invalid XPath: not valid UTF-8 at byte %" G_GSIZE_FORMAT,
                   (gsize) (bad - expr));
      return NULL;
    }

  tree = g_new0 (ClmrsXPathTree, 1);
  tree->source = g_strdup (expr);
  tree->tokens = g_array_new (FALSE, FALSE, sizeof (ClmrsXPathToken));
  tree->comparisons = g_ptr_array_new ();
  tree->arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  tree->blocks = g_ptr_array_new_with_free_func (g_free);
  p.expr = tree->source;
  p.len = strlen (expr);
  p.tokens = tree->tokens;
  p.tree = tree;
  p.error = error;

  if (!lex (&p))
    return NULL;
  if (peek (&p) == CLMRS_XPATH_TOKEN_END)
    {
      fail_at (&p, CLMRS_XPATH_ERROR_SYNTAX, 0, "the expression is empty");
      return NULL;
    }
  if ((tree->root = parse_expr (&p)) == NULL)
    return NULL;
  if (peek (&p) != CLMRS_XPATH_TOKEN_END)
    {
      fail_here (&p, "expected an operator or the end of the expression");
      return NULL;
    }
  return g_steal_pointer (&tree);
}

/* Token @index of @tree (0 to the END token). */
const ClmrsXPathToken *
clmrs_xpath_tree_token (const ClmrsXPathTree *tree,
                        guint                 index)
{
  g_return_val_if_fail (tree != NULL && index < tree->tokens->len, NULL);
  return &g_array_index (tree->tokens, ClmrsXPathToken, index);
}

/* Returns: (transfer full): the text of token @index. */
char *
clmrs_xpath_tree_text (const ClmrsXPathTree *tree,
                       guint                 index)
{
  const ClmrsXPathToken *token = clmrs_xpath_tree_token (tree, index);

  g_return_val_if_fail (token != NULL, NULL);
  return g_strndup (tree->source + token->start, token->end - token->start);
}

/* ------------------------------------------------------------------------ */
/* Edits                                                                    */

static void
edit_clear (gpointer data)
{
  ClmrsXPathEdit *edit = data;

  g_free (edit->text);
}

/* Returns: (transfer full): an empty list of ClmrsXPathEdit, which frees
 * their text with it. */
GArray *
clmrs_xpath_edits_new (void)
{
  GArray *edits = g_array_new (FALSE, FALSE, sizeof (ClmrsXPathEdit));

  g_array_set_clear_func (edits, edit_clear);
  return edits;
}

/* Adds an edit replacing bytes @start..@end with @text; @size is the span
 * of a comparison call (CALL_* edits), to order nested ones. */
void
clmrs_xpath_edits_add (GArray             *edits,
                       ClmrsXPathEditKind  kind,
                       gsize               start,
                       gsize               end,
                       gsize               size,
                       const char         *text)
{
  ClmrsXPathEdit edit = { start, end, kind, size, edits->len, g_strdup (text) };

  g_return_if_fail (start <= end);
  g_array_append_val (edits, edit);
}

static int
compare_edits (gconstpointer a,
               gconstpointer b)
{
  const ClmrsXPathEdit *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  /* At one place inner comparisons close first and outer ones open first. */
  if (x->kind == CLMRS_XPATH_EDIT_CALL_CLOSE && x->size != y->size)
    return x->size < y->size ? -1 : 1;
  if (x->kind == CLMRS_XPATH_EDIT_CALL_OPEN && x->size != y->size)
    return x->size > y->size ? -1 : 1;
  /* Insertions before replacements, then in the order they came. */
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* TRUE when @next written right after @last would read as one name. */
static gboolean
glues (char last,
       char next)
{
  return is_name_char (last) && last != '-' && is_name_start (next);
}

/**
 * clmrs_xpath_apply_edits:
 * @source: the expression the edits were made on
 * @edits: (element-type ClmrsXPathEdit): its edits, in any order (sorted here)
 *
 * Copies @source with each edit applied, in the order their kind says at
 * one place (see #ClmrsXPathEditKind).  An edit that starts inside a span
 * already replaced is dropped.  Text inserted right after a name gets a
 * space first, so "1 and'a'<'b'" does not become "1 andclmrs-lt(..." (a
 * '-' before it is the minus operator, kept as written).
 *
 * Returns: (transfer full): the edited expression.
 */
char *
clmrs_xpath_apply_edits (const char *source,
                         GArray     *edits)
{
  gsize len = strlen (source);
  GString *out = g_string_sized_new (len + edits->len * 12);
  gsize cursor = 0;

  g_array_sort (edits, compare_edits);
  for (guint i = 0; i < edits->len; i++)
    {
      const ClmrsXPathEdit *e = &g_array_index (edits, ClmrsXPathEdit, i);

      if (e->start < cursor)
        continue;
      g_string_append_len (out, source + cursor, (gssize) (e->start - cursor));
      if (out->len > 0 && glues (out->str[out->len - 1], e->text[0]))
        g_string_append_c (out, ' ');
      g_string_append (out, e->text);
      cursor = e->end;
    }
  g_string_append_len (out, source + cursor, (gssize) (len - cursor));
  return g_string_free (out, FALSE);
}
