/* xpath-rewrite.c: rewrites XPath 1.0 relational comparisons into date-aware function calls. */
#define G_LOG_DOMAIN "clmrs-xpath-rewrite"

#include "xpath-rewrite.h"

#include <math.h>
#include <string.h>

#include <libxml/xpathInternals.h>

G_DEFINE_QUARK (clmrs-xpath-rewrite-error-quark, clmrs_xpath_rewrite_error)

/* Nesting (parentheses, predicates, arguments, unary minus) beyond this is an
 * error rather than a deep recursion. */
#define MAX_DEPTH 128

/* ------------------------------------------------------------------------ */
/* Tokens (XPath 1.0 section 3.7)                                           */

typedef enum {
  TOK_END,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_LBRACKET,
  TOK_RBRACKET,
  TOK_DOT,
  TOK_DOTDOT,
  TOK_AT,
  TOK_COMMA,
  TOK_COLONCOLON,
  TOK_NAMETEST,       /* *, prefix:*, QName */
  TOK_NODETYPE,       /* comment text processing-instruction node, before '(' */
  TOK_FUNCTION,       /* a QName before '(' that is not a node type */
  TOK_AXIS,           /* an NCName before '::' */
  TOK_LITERAL,
  TOK_NUMBER,
  TOK_VARIABLE,
  /* Operators: everything from here on. */
  TOK_AND,
  TOK_OR,
  TOK_MOD,
  TOK_DIV,
  TOK_MUL,
  TOK_SLASH,
  TOK_DSLASH,
  TOK_PIPE,
  TOK_PLUS,
  TOK_MINUS,
  TOK_EQ,
  TOK_NEQ,
  TOK_LT,
  TOK_LE,
  TOK_GT,
  TOK_GE,
} TokKind;

typedef struct {
  TokKind kind;
  gsize   start;        /* byte offsets into the expression */
  gsize   end;
} Token;

/* One relational comparison A op B, as byte spans of its operands. */
typedef struct {
  gsize   a_start;
  gsize   a_end;
  gsize   b_start;
  gsize   b_end;
  TokKind op;
} Comparison;

typedef struct {
  const char *expr;
  gsize       len;
  GArray     *tokens;       /* Token */
  guint       pos;          /* index of the current token */
  guint       depth;
  GArray     *comparisons;  /* Comparison */
  GError    **error;
} Parser;

static gboolean
is_operator (TokKind kind)
{
  return kind >= TOK_AND;
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
    g_set_error (p->error, CLMRS_XPATH_REWRITE_ERROR, code,
                 "invalid XPath at character %ld of \"%s\": %s",
                 character, p->expr, problem);
  return FALSE;
}

/* A token as quoted text for error messages (long ones cut short). */
static char *
describe (Parser      *p,
          const Token *t)
{
  g_autofree char *text = NULL;

  if (t->kind == TOK_END)
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
            TokKind kind,
            gsize   start,
            gsize   end)
{
  Token t = { kind, start, end };

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
      static const TokKind kinds[] = { TOK_AND, TOK_OR, TOK_MOD, TOK_DIV };

      for (guint w = 0; operator_names[w] != NULL; w++)
        if (span_is (s, i, end, operator_names[w]))
          {
            *next = end;
            return push_token (p, kinds[w], i, end);
          }
      return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i,
                      "expected an operator, found '%.*s'", (int) (end - i), s + i);
    }

  if (s[end] == ':' && s[end + 1] != ':')
    {
      if (s[end + 1] == '*')
        {
          *next = end + 2;
          return push_token (p, TOK_NAMETEST, i, end + 2);
        }
      if (!is_name_start (s[end + 1]))
        return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, end,
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
        return push_token (p, TOK_NODETYPE, i, end);
      return push_token (p, TOK_FUNCTION, i, end);
    }
  /* Rule 3: a name before '::' is an axis name. */
  if (s[k] == ':' && s[k + 1] == ':')
    {
      if (prefixed || !span_is_one_of (s, i, end, axes))
        return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i,
                        "unknown axis '%.*s'", (int) (end - i), s + i);
      return push_token (p, TOK_AXIS, i, end);
    }
  return push_token (p, TOK_NAMETEST, i, end);
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
        return push_token (p, TOK_END, p->len, p->len);

      /* Rule 1 of section 3.7: a preceding token other than @ :: ( [ , or
       * an operator makes '*' a multiplication and a name an operator. */
      if (p->tokens->len > 0)
        {
          TokKind prev = g_array_index (p->tokens, Token, p->tokens->len - 1).kind;

          operator_context = !(prev == TOK_AT || prev == TOK_COLONCOLON ||
                               prev == TOK_LPAREN || prev == TOK_LBRACKET ||
                               prev == TOK_COMMA || is_operator (prev));
        }

      c = s[i];
      switch (c)
        {
        case '(': push_token (p, TOK_LPAREN, i, i + 1); i++; break;
        case ')': push_token (p, TOK_RPAREN, i, i + 1); i++; break;
        case '[': push_token (p, TOK_LBRACKET, i, i + 1); i++; break;
        case ']': push_token (p, TOK_RBRACKET, i, i + 1); i++; break;
        case '@': push_token (p, TOK_AT, i, i + 1); i++; break;
        case ',': push_token (p, TOK_COMMA, i, i + 1); i++; break;
        case '|': push_token (p, TOK_PIPE, i, i + 1); i++; break;
        case '+': push_token (p, TOK_PLUS, i, i + 1); i++; break;
        case '-': push_token (p, TOK_MINUS, i, i + 1); i++; break;
        case '=': push_token (p, TOK_EQ, i, i + 1); i++; break;

        case '*':
          push_token (p, operator_context ? TOK_MUL : TOK_NAMETEST, i, i + 1);
          i++;
          break;

        case '!':
          if (s[i + 1] != '=')
            return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i, "expected '=' after '!'");
          push_token (p, TOK_NEQ, i, i + 2);
          i += 2;
          break;

        case '<':
        case '>':
          if (s[i + 1] == '=')
            {
              push_token (p, c == '<' ? TOK_LE : TOK_GE, i, i + 2);
              i += 2;
            }
          else
            {
              push_token (p, c == '<' ? TOK_LT : TOK_GT, i, i + 1);
              i++;
            }
          break;

        case '/':
          if (s[i + 1] == '/')
            {
              push_token (p, TOK_DSLASH, i, i + 2);
              i += 2;
            }
          else
            {
              push_token (p, TOK_SLASH, i, i + 1);
              i++;
            }
          break;

        case ':':
          if (s[i + 1] != ':')
            return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i, "unexpected ':'");
          push_token (p, TOK_COLONCOLON, i, i + 2);
          i += 2;
          break;

        case '\'':
        case '"':
          {
            const char *close = memchr (s + i + 1, c, p->len - i - 1);

            if (close == NULL)
              return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i,
                              "the string literal starting here is not closed");
            push_token (p, TOK_LITERAL, i, (gsize) (close - s) + 1);
            i = (gsize) (close - s) + 1;
          }
          break;

        case '$':
          {
            gsize end;

            if (!is_name_start (s[i + 1]))
              return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i,
                              "expected a variable name after '$'");
            end = scan_ncname (s, i + 1);
            if (s[end] == ':' && is_name_start (s[end + 1]))
              end = scan_ncname (s, end + 1);
            push_token (p, TOK_VARIABLE, i, end);
            i = end;
          }
          break;

        case '.':
          if (s[i + 1] == '.')
            {
              push_token (p, TOK_DOTDOT, i, i + 2);
              i += 2;
              break;
            }
          if (!g_ascii_isdigit (s[i + 1]))
            {
              push_token (p, TOK_DOT, i, i + 1);
              i++;
              break;
            }
          /* '.' Digits */
          for (i++; g_ascii_isdigit (s[i]); i++)
            ;
          push_token (p, TOK_NUMBER, start, i);
          break;

        default:
          if (g_ascii_isdigit (c))
            {
              while (g_ascii_isdigit (s[i]))
                i++;
              if (s[i] == '.')
                for (i++; g_ascii_isdigit (s[i]); i++)
                  ;
              push_token (p, TOK_NUMBER, start, i);
            }
          else if (is_name_start (c))
            {
              if (!lex_name (p, i, operator_context, &i))
                return FALSE;
            }
          else if (g_ascii_isprint (c))
            return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i,
                            "unexpected character '%c'", c);
          else
            return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, i,
                            "unexpected character U+%04X", (guint) (guchar) c);
          break;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Parser (XPath 1.0 section 3, productions [1] to [39])                    */

static const Token *
current (Parser *p)
{
  return &g_array_index (p->tokens, Token, p->pos);
}

static TokKind
peek (Parser *p)
{
  return current (p)->kind;
}

static void
advance (Parser *p)
{
  if (peek (p) != TOK_END)
    p->pos++;
}

/* Fails with "@what, found <current token>". */
static gboolean
fail_here (Parser     *p,
           const char *what)
{
  g_autofree char *found = describe (p, current (p));

  return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, current (p)->start,
                  "%s, found %s", what, found);
}

static gboolean
starts_step (TokKind kind)
{
  return kind == TOK_NAMETEST || kind == TOK_NODETYPE || kind == TOK_AXIS ||
         kind == TOK_AT || kind == TOK_DOT || kind == TOK_DOTDOT;
}

static gboolean
starts_primary (TokKind kind)
{
  return kind == TOK_VARIABLE || kind == TOK_LPAREN || kind == TOK_LITERAL ||
         kind == TOK_NUMBER || kind == TOK_FUNCTION;
}

static gboolean
starts_expr (TokKind kind)
{
  return kind == TOK_MINUS || kind == TOK_SLASH || kind == TOK_DSLASH ||
         starts_step (kind) || starts_primary (kind);
}

static gboolean parse_expr (Parser *p);

/* Consumes the binary operator at the current token and checks that an
 * operand follows it. */
static gboolean
take_operator (Parser *p)
{
  const Token *op = current (p);
  g_autofree char *what = g_strdup_printf ("expected an expression after '%.*s'",
                                           (int) (op->end - op->start),
                                           p->expr + op->start);

  advance (p);
  if (!starts_expr (peek (p)))
    return fail_here (p, what);
  return TRUE;
}

static gboolean
expect_closing (Parser     *p,
                TokKind     kind,
                const char *closing,
                const Token *opening)
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

static gboolean
parse_predicates (Parser *p)
{
  while (peek (p) == TOK_LBRACKET)
    {
      Token open = *current (p);

      advance (p);
      if (!parse_expr (p) || !expect_closing (p, TOK_RBRACKET, "]", &open))
        return FALSE;
    }
  return TRUE;
}

/* [4] Step */
static gboolean
parse_step (Parser *p)
{
  const Token *t = current (p);

  if (t->kind == TOK_DOT || t->kind == TOK_DOTDOT)
    {
      advance (p);
      if (peek (p) == TOK_LBRACKET)
        return fail_here (p, "a predicate cannot follow '.' or '..' in XPath 1.0 "
                             "(write self::node()[...])");
      return TRUE;
    }

  if (t->kind == TOK_AXIS)
    {
      advance (p);
      g_assert (peek (p) == TOK_COLONCOLON);  /* the lexer saw it */
      advance (p);
      if (peek (p) != TOK_NAMETEST && peek (p) != TOK_NODETYPE)
        return fail_here (p, "expected a node test after '::'");
    }
  else if (t->kind == TOK_AT)
    {
      advance (p);
      if (peek (p) != TOK_NAMETEST && peek (p) != TOK_NODETYPE)
        return fail_here (p, "expected a node test after '@'");
    }

  t = current (p);
  if (t->kind == TOK_NAMETEST)
    advance (p);
  else if (t->kind == TOK_NODETYPE)
    {
      gboolean pi = span_is (p->expr, t->start, t->end, "processing-instruction");
      Token open;

      advance (p);
      g_assert (peek (p) == TOK_LPAREN);  /* the lexer saw it */
      open = *current (p);
      advance (p);
      if (pi && peek (p) == TOK_LITERAL)
        advance (p);
      if (!expect_closing (p, TOK_RPAREN, ")", &open))
        return FALSE;
    }
  else
    return fail_here (p, "expected a location step");

  return parse_predicates (p);
}

/* [3] RelativeLocationPath */
static gboolean
parse_relative_path (Parser *p)
{
  if (!parse_step (p))
    return FALSE;
  while (peek (p) == TOK_SLASH || peek (p) == TOK_DSLASH)
    {
      g_autofree char *what = g_strdup_printf ("expected a location step after '%s'",
                                               peek (p) == TOK_SLASH ? "/" : "//");

      advance (p);
      if (!starts_step (peek (p)))
        return fail_here (p, what);
      if (!parse_step (p))
        return FALSE;
    }
  return TRUE;
}

/* [15] PrimaryExpr, [16] FunctionCall */
static gboolean
parse_primary (Parser *p)
{
  Token t = *current (p);

  switch (t.kind)
    {
    case TOK_VARIABLE:
    case TOK_LITERAL:
    case TOK_NUMBER:
      advance (p);
      return TRUE;

    case TOK_LPAREN:
      advance (p);
      return parse_expr (p) && expect_closing (p, TOK_RPAREN, ")", &t);

    case TOK_FUNCTION:
      {
        Token open;

        advance (p);
        g_assert (peek (p) == TOK_LPAREN);  /* the lexer saw it */
        open = *current (p);
        advance (p);
        if (peek (p) == TOK_RPAREN)
          {
            advance (p);
            return TRUE;
          }
        for (;;)
          {
            if (!parse_expr (p))
              return FALSE;
            if (peek (p) == TOK_COMMA)
              {
                advance (p);
                continue;
              }
            if (peek (p) == TOK_RPAREN)
              {
                advance (p);
                return TRUE;
              }
            {
              g_autofree char *what =
                g_strdup_printf ("expected ',' or ')' after an argument of '%.*s()' "
                                 "opened at character %ld",
                                 (int) (t.end - t.start), p->expr + t.start,
                                 g_utf8_pointer_to_offset (p->expr, p->expr + open.start) + 1);
              return fail_here (p, what);
            }
          }
      }

    default:
      return fail_here (p, "expected an expression");
    }
}

/* [19] PathExpr, [20] FilterExpr, [1] LocationPath */
static gboolean
parse_path (Parser *p)
{
  TokKind kind = peek (p);

  if (kind == TOK_SLASH)
    {
      advance (p);
      if (starts_step (peek (p)))
        return parse_relative_path (p);
      return TRUE;
    }
  if (kind == TOK_DSLASH)
    {
      advance (p);
      if (!starts_step (peek (p)))
        return fail_here (p, "expected a location step after '//'");
      return parse_relative_path (p);
    }
  if (starts_step (kind))
    return parse_relative_path (p);
  if (starts_primary (kind))
    {
      if (!parse_primary (p) || !parse_predicates (p))
        return FALSE;
      if (peek (p) == TOK_SLASH || peek (p) == TOK_DSLASH)
        {
          g_autofree char *what = g_strdup_printf ("expected a location step after '%s'",
                                                   peek (p) == TOK_SLASH ? "/" : "//");

          advance (p);
          if (!starts_step (peek (p)))
            return fail_here (p, what);
          return parse_relative_path (p);
        }
      return TRUE;
    }
  return fail_here (p, "expected an expression");
}

/* [18] UnionExpr */
static gboolean
parse_union (Parser *p)
{
  if (!parse_path (p))
    return FALSE;
  while (peek (p) == TOK_PIPE)
    if (!take_operator (p) || !parse_path (p))
      return FALSE;
  return TRUE;
}

/* [27] UnaryExpr */
static gboolean
parse_unary (Parser *p)
{
  gboolean ok;

  if (peek (p) != TOK_MINUS)
    return parse_union (p);
  if (p->depth >= MAX_DEPTH)
    return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_TOO_DEEP, current (p)->start,
                    "nested more than %d levels deep", MAX_DEPTH);
  if (!take_operator (p))
    return FALSE;
  p->depth++;
  ok = parse_unary (p);
  p->depth--;
  return ok;
}

/* [26] MultiplicativeExpr */
static gboolean
parse_multiplicative (Parser *p)
{
  if (!parse_unary (p))
    return FALSE;
  while (peek (p) == TOK_MUL || peek (p) == TOK_DIV || peek (p) == TOK_MOD)
    if (!take_operator (p) || !parse_unary (p))
      return FALSE;
  return TRUE;
}

/* [25] AdditiveExpr */
static gboolean
parse_additive (Parser *p)
{
  if (!parse_multiplicative (p))
    return FALSE;
  while (peek (p) == TOK_PLUS || peek (p) == TOK_MINUS)
    if (!take_operator (p) || !parse_multiplicative (p))
      return FALSE;
  return TRUE;
}

/* [24] RelationalExpr: the one production that is rewritten.  Left
 * associative, so each comparison's left operand spans from the first
 * operand to the end of the previous comparison. */
static gboolean
parse_relational (Parser *p)
{
  gsize a_start = current (p)->start;

  if (!parse_additive (p))
    return FALSE;
  while (peek (p) == TOK_LT || peek (p) == TOK_LE || peek (p) == TOK_GT || peek (p) == TOK_GE)
    {
      Comparison c = { 0, };

      c.a_start = a_start;
      c.a_end = g_array_index (p->tokens, Token, p->pos - 1).end;
      c.op = peek (p);
      if (!take_operator (p))
        return FALSE;
      c.b_start = current (p)->start;
      if (!parse_additive (p))
        return FALSE;
      c.b_end = g_array_index (p->tokens, Token, p->pos - 1).end;
      g_array_append_val (p->comparisons, c);
    }
  return TRUE;
}

/* [23] EqualityExpr */
static gboolean
parse_equality (Parser *p)
{
  if (!parse_relational (p))
    return FALSE;
  while (peek (p) == TOK_EQ || peek (p) == TOK_NEQ)
    if (!take_operator (p) || !parse_relational (p))
      return FALSE;
  return TRUE;
}

/* [22] AndExpr */
static gboolean
parse_and (Parser *p)
{
  if (!parse_equality (p))
    return FALSE;
  while (peek (p) == TOK_AND)
    if (!take_operator (p) || !parse_equality (p))
      return FALSE;
  return TRUE;
}

/* [14] Expr, [21] OrExpr */
static gboolean
parse_expr (Parser *p)
{
  gboolean ok = TRUE;

  if (p->depth >= MAX_DEPTH)
    return fail_at (p, CLMRS_XPATH_REWRITE_ERROR_TOO_DEEP, current (p)->start,
                    "nested more than %d levels deep", MAX_DEPTH);
  p->depth++;
  if (!parse_and (p))
    ok = FALSE;
  while (ok && peek (p) == TOK_OR)
    ok = take_operator (p) && parse_and (p);
  p->depth--;
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Output: the source with each comparison turned into a call               */

typedef enum {
  EDIT_CLOSE,       /* ")" after the right operand */
  EDIT_REPLACE,     /* the operator and its spaces become ", " */
  EDIT_OPEN,        /* "clmrs-xx(" before the left operand */
} EditKind;

typedef struct {
  gsize    pos;
  EditKind kind;
  gsize    size;      /* the comparison's span, to order nested ones */
  gsize    skip_to;   /* EDIT_REPLACE: where copying resumes */
  TokKind  op;
} Edit;

static int
compare_edits (gconstpointer a,
               gconstpointer b)
{
  const Edit *x = a, *y = b;

  if (x->pos != y->pos)
    return x->pos < y->pos ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  if (x->size == y->size)
    return 0;
  /* At one position inner comparisons close first and outer ones open first. */
  if (x->kind == EDIT_CLOSE)
    return x->size < y->size ? -1 : 1;
  return x->size > y->size ? -1 : 1;
}

static const char *
function_for (TokKind op)
{
  switch (op)
    {
    case TOK_LT: return "clmrs-lt(";
    case TOK_LE: return "clmrs-le(";
    case TOK_GT: return "clmrs-gt(";
    case TOK_GE: return "clmrs-ge(";
    default: g_assert_not_reached ();
    }
  return NULL;
}

static char *
apply_edits (const char *expr,
             gsize       len,
             GArray     *comparisons)
{
  g_autoptr(GArray) edits = g_array_sized_new (FALSE, FALSE, sizeof (Edit),
                                               comparisons->len * 3);
  GString *out = g_string_sized_new (len + comparisons->len * 12);
  gsize cursor = 0;

  for (guint i = 0; i < comparisons->len; i++)
    {
      const Comparison *c = &g_array_index (comparisons, Comparison, i);
      gsize size = c->b_end - c->a_start;
      Edit open = { c->a_start, EDIT_OPEN, size, 0, c->op };
      Edit replace = { c->a_end, EDIT_REPLACE, size, c->b_start, c->op };
      Edit close = { c->b_end, EDIT_CLOSE, size, 0, c->op };

      g_array_append_val (edits, open);
      g_array_append_val (edits, replace);
      g_array_append_val (edits, close);
    }
  g_array_sort (edits, compare_edits);

  for (guint i = 0; i < edits->len; i++)
    {
      const Edit *e = &g_array_index (edits, Edit, i);

      g_assert (e->pos >= cursor);
      g_string_append_len (out, expr + cursor, (gssize) (e->pos - cursor));
      cursor = e->pos;
      switch (e->kind)
        {
        case EDIT_CLOSE:
          g_string_append_c (out, ')');
          break;
        case EDIT_REPLACE:
          g_string_append (out, ", ");
          cursor = e->skip_to;
          break;
        case EDIT_OPEN:
          /* "1 and'a'<'b'": keep the call from gluing onto "and". */
          if (out->len > 0 && is_name_char (out->str[out->len - 1]))
            g_string_append_c (out, ' ');
          g_string_append (out, function_for (e->op));
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_string_append_len (out, expr + cursor, (gssize) (len - cursor));
  return g_string_free (out, FALSE);
}

/**
 * clmrs_xpath_rewrite_comparisons:
 * @expr: an XPath 1.0 expression (UTF-8, entities already decoded)
 * @error: return location for a %CLMRS_XPATH_REWRITE_ERROR
 *
 * Checks @expr against the XPath 1.0 grammar and replaces every relational
 * comparison A op B by clmrs-lt(A, B), clmrs-le(A, B), clmrs-gt(A, B) or
 * clmrs-ge(A, B), with XPath precedence and left associativity (a < b < c
 * is clmrs-lt(clmrs-lt(a, b), c)).  All other text, spaces included, is
 * copied as written; an expression without a relational operator comes back
 * unchanged.
 *
 * Returns: (transfer full) (nullable): the new expression, or %NULL with
 * @error naming the character position and the problem.
 */
char *
clmrs_xpath_rewrite_comparisons (const char *expr,
                                 GError    **error)
{
  const char *bad = NULL;
  g_autoptr(GArray) tokens = NULL;
  g_autoptr(GArray) comparisons = NULL;
  Parser p = { 0, };

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (expr, -1, &bad))
    {
      g_set_error (error, CLMRS_XPATH_REWRITE_ERROR, CLMRS_XPATH_REWRITE_ERROR_SYNTAX,
                   "invalid XPath: not valid UTF-8 at byte %" G_GSIZE_FORMAT,
                   (gsize) (bad - expr));
      return NULL;
    }

  tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  comparisons = g_array_new (FALSE, FALSE, sizeof (Comparison));
  p.expr = expr;
  p.len = strlen (expr);
  p.tokens = tokens;
  p.comparisons = comparisons;
  p.error = error;

  if (!lex (&p))
    return NULL;
  if (peek (&p) == TOK_END)
    {
      fail_at (&p, CLMRS_XPATH_REWRITE_ERROR_SYNTAX, 0, "the expression is empty");
      return NULL;
    }
  if (!parse_expr (&p))
    return NULL;
  if (peek (&p) != TOK_END)
    {
      fail_here (&p, "expected an operator or the end of the expression");
      return NULL;
    }

  if (comparisons->len == 0)
    return g_strdup (expr);
  return apply_edits (expr, p.len, comparisons);
}

/* ------------------------------------------------------------------------ */
/* The comparison functions                                                 */

static gboolean
is_leap_year (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant). */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

/* Reads exactly @n ASCII digits at *@s. */
static gboolean
read_digits (const char **s,
             int          n,
             int         *out)
{
  int value = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*s)[i]))
        return FALSE;
      value = value * 10 + ((*s)[i] - '0');
    }
  *s += n;
  *out = value;
  return TRUE;
}

/*
 * Parses an XForms date (YYYY-MM-DD) or dateTime
 * (YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh[:mm]|-hh[:mm]]) with surrounding XML
 * spaces allowed, into days since 1970-01-01T00:00Z.  Dates are midnight
 * UTC; a dateTime without a zone is taken as UTC.
 */
static gboolean
parse_days (const char *text,
            double     *out)
{
  const char *s = text;
  int year, month, day, hour = 0, minute = 0, zone_hour = 0, zone_minute = 0;
  double second = 0, zone_sign = 0;
  static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int days_in_month;

  while (is_space (*s))
    s++;
  if (!read_digits (&s, 4, &year) || *s++ != '-' ||
      !read_digits (&s, 2, &month) || *s++ != '-' ||
      !read_digits (&s, 2, &day))
    return FALSE;
  if (month < 1 || month > 12)
    return FALSE;
  days_in_month = month_days[month - 1] + (month == 2 && is_leap_year (year));
  if (day < 1 || day > days_in_month)
    return FALSE;

  if (*s == 'T' || *s == 't')
    {
      int whole;

      s++;
      if (!read_digits (&s, 2, &hour) || *s++ != ':' || !read_digits (&s, 2, &minute) ||
          hour > 23 || minute > 59)
        return FALSE;
      if (*s == ':')
        {
          s++;
          if (!read_digits (&s, 2, &whole) || whole > 60)  /* 60: a leap second */
            return FALSE;
          second = whole;
          if (*s == '.')
            {
              double scale = 0.1;

              s++;
              if (!g_ascii_isdigit (*s))
                return FALSE;
              for (; g_ascii_isdigit (*s); s++, scale /= 10)
                second += (*s - '0') * scale;
            }
        }
      if (*s == 'Z' || *s == 'z')
        s++;
      else if (*s == '+' || *s == '-')
        {
          zone_sign = *s == '+' ? 1 : -1;
          s++;
          if (!read_digits (&s, 2, &zone_hour) || zone_hour > 23)
            return FALSE;
          if (*s == ':')
            s++;
          if (g_ascii_isdigit (*s) && (!read_digits (&s, 2, &zone_minute) || zone_minute > 59))
            return FALSE;
        }
    }

  while (is_space (*s))
    s++;
  if (*s != '\0')
    return FALSE;

  *out = (double) days_from_civil (year, month, day) +
         (hour * 3600.0 + minute * 60.0 + second -
          zone_sign * (zone_hour * 3600.0 + zone_minute * 60.0)) / 86400.0;
  return TRUE;
}

/* One argument reduced to a single value: text (from a string or a
 * node-set) or a number (from a number or boolean). */
typedef struct {
  char   *text;     /* owned; NULL for a number */
  double  number;
} Operand;

static void
operand_from_object (xmlXPathObjectPtr object,
                     Operand          *out)
{
  out->text = NULL;
  out->number = NAN;
  switch (object->type)
    {
    case XPATH_NODESET:
    case XPATH_XSLT_TREE:
      if (object->nodesetval == NULL || object->nodesetval->nodeNr == 0)
        out->text = g_strdup ("");
      else
        {
          xmlChar *value;

          xmlXPathNodeSetSort (object->nodesetval);  /* first in document order */
          value = xmlXPathCastNodeToString (object->nodesetval->nodeTab[0]);
          out->text = g_strdup (value != NULL ? (const char *) value : "");
          xmlFree (value);
        }
      break;
    case XPATH_STRING:
      out->text = g_strdup (object->stringval != NULL ? (const char *) object->stringval : "");
      break;
    default:
      out->number = xmlXPathCastToNumber (object);
      break;
    }
}

static double
operand_number (const Operand *operand)
{
  if (operand->text != NULL)
    return xmlXPathCastStringToNumber (BAD_CAST operand->text);
  return operand->number;
}

/* Both arguments as numbers: days when either is a date or dateTime string. */
static gboolean
pop_operands (xmlXPathParserContextPtr ctxt,
              int                      nargs,
              double                  *left,
              double                  *right)
{
  xmlXPathObjectPtr a, b;
  Operand x, y;
  double x_days = 0, y_days = 0;
  gboolean x_date, y_date;

  if (nargs != 2)
    {
      xmlXPathErr (ctxt, XPATH_INVALID_ARITY);
      return FALSE;
    }
  b = valuePop (ctxt);
  a = valuePop (ctxt);
  if (a == NULL || b == NULL)
    {
      xmlXPathFreeObject (a);
      xmlXPathFreeObject (b);
      xmlXPathErr (ctxt, XPATH_STACK_ERROR);
      return FALSE;
    }
  operand_from_object (a, &x);
  operand_from_object (b, &y);
  xmlXPathFreeObject (a);
  xmlXPathFreeObject (b);

  x_date = x.text != NULL && parse_days (x.text, &x_days);
  y_date = y.text != NULL && parse_days (y.text, &y_days);
  *left = x_date ? x_days : operand_number (&x);
  *right = y_date ? y_days : operand_number (&y);
  g_free (x.text);
  g_free (y.text);
  return TRUE;
}

static void
fn_lt (xmlXPathParserContextPtr ctxt,
       int                      nargs)
{
  double a, b;

  if (pop_operands (ctxt, nargs, &a, &b))
    valuePush (ctxt, xmlXPathNewBoolean (a < b));
}

static void
fn_le (xmlXPathParserContextPtr ctxt,
       int                      nargs)
{
  double a, b;

  if (pop_operands (ctxt, nargs, &a, &b))
    valuePush (ctxt, xmlXPathNewBoolean (a <= b));
}

static void
fn_gt (xmlXPathParserContextPtr ctxt,
       int                      nargs)
{
  double a, b;

  if (pop_operands (ctxt, nargs, &a, &b))
    valuePush (ctxt, xmlXPathNewBoolean (a > b));
}

static void
fn_ge (xmlXPathParserContextPtr ctxt,
       int                      nargs)
{
  double a, b;

  if (pop_operands (ctxt, nargs, &a, &b))
    valuePush (ctxt, xmlXPathNewBoolean (a >= b));
}

/**
 * clmrs_xpath_register_comparisons:
 * @ctxt: an XPath context
 *
 * Registers clmrs-lt, clmrs-le, clmrs-gt and clmrs-ge (no namespace), the
 * targets of clmrs_xpath_rewrite_comparisons().  Each takes two arguments
 * and follows ODK (JavaRosa): each argument is reduced to one value (a
 * node-set to the string value of its first node in document order, "" when
 * empty); when either value is a string holding an XForms date or dateTime,
 * both sides become decimal days since 1970-01-01 UTC (a date string the
 * same way, anything else with number()); otherwise both go through
 * number() as in plain XPath.  NaN compares false.
 *
 * Unlike XPath 1.0, a node-set is not compared existentially (any node
 * satisfying the comparison): only its first node counts, as in JavaRosa.
 */
void
clmrs_xpath_register_comparisons (xmlXPathContextPtr ctxt)
{
  g_return_if_fail (ctxt != NULL);

  xmlXPathRegisterFunc (ctxt, BAD_CAST "clmrs-lt", fn_lt);
  xmlXPathRegisterFunc (ctxt, BAD_CAST "clmrs-le", fn_le);
  xmlXPathRegisterFunc (ctxt, BAD_CAST "clmrs-gt", fn_gt);
  xmlXPathRegisterFunc (ctxt, BAD_CAST "clmrs-ge", fn_ge);
}
