/* xpath-rewrite.c: XPath 1.0 relational comparisons rewritten into date-aware function calls. */
#define G_LOG_DOMAIN "clmrs-xpath-rewrite"

#include "xpath-rewrite.h"

#include <math.h>
#include <string.h>

#include <libxml/xpathInternals.h>

/* ------------------------------------------------------------------------ */
/* The rewrite: edits on the parsed expression                              */

static const char *
function_for (ClmrsXPathTokenKind op)
{
  switch (op)
    {
    case CLMRS_XPATH_TOKEN_LT: return "clmrs-lt(";
    case CLMRS_XPATH_TOKEN_LE: return "clmrs-le(";
    case CLMRS_XPATH_TOKEN_GT: return "clmrs-gt(";
    case CLMRS_XPATH_TOKEN_GE: return "clmrs-ge(";
    default: g_assert_not_reached ();
    }
  return NULL;
}

/**
 * clmrs_xpath_comparison_edits:
 * @tree: a parsed expression
 * @edits: (element-type ClmrsXPathEdit): where the edits go
 *
 * Adds the edits that turn each relational comparison A op B of @tree into
 * clmrs-lt(A, B), clmrs-le(A, B), clmrs-gt(A, B) or clmrs-ge(A, B): the call
 * opens before A, the operator and the spaces around it become ", ", the
 * call closes after B.
 */
void
clmrs_xpath_comparison_edits (const ClmrsXPathTree *tree,
                              GArray               *edits)
{
  g_return_if_fail (tree != NULL && edits != NULL);

  for (guint i = 0; i < tree->comparisons->len; i++)
    {
      const ClmrsXPathNode *c = tree->comparisons->pdata[i];
      gsize a_start = clmrs_xpath_tree_token (tree, c->left->first)->start;
      gsize a_end = clmrs_xpath_tree_token (tree, c->left->last)->end;
      gsize b_start = clmrs_xpath_tree_token (tree, c->right->first)->start;
      gsize b_end = clmrs_xpath_tree_token (tree, c->right->last)->end;
      gsize size = b_end - a_start;

      clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_CALL_OPEN, a_start, a_start, size, function_for (c->op));
      clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_OPERATOR, a_end, b_start, size, ", ");
      clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_CALL_CLOSE, b_end, b_end, size, ")");
    }
}

/**
 * clmrs_xpath_rewrite_comparisons:
 * @expr: an XPath 1.0 expression (UTF-8, entities already decoded)
 * @error: return location for a %CLMRS_XPATH_ERROR
 *
 * Checks @expr against the XPath 1.0 grammar (clmrs_xpath_parse()) and
 * replaces every relational comparison A op B by clmrs-lt(A, B),
 * clmrs-le(A, B), clmrs-gt(A, B) or clmrs-ge(A, B), with XPath precedence
 * and left associativity (a < b < c is clmrs-lt(clmrs-lt(a, b), c)).  All
 * other text, spaces included, is copied as written; an expression without
 * a relational operator comes back unchanged.
 *
 * Returns: (transfer full) (nullable): the new expression, or %NULL with
 * @error naming the character position and the problem.
 */
char *
clmrs_xpath_rewrite_comparisons (const char *expr,
                                 GError    **error)
{
  g_autoptr(ClmrsXPathTree) tree = NULL;
  g_autoptr(GArray) edits = NULL;

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tree = clmrs_xpath_parse (expr, error);
  if (tree == NULL)
    return NULL;
  if (tree->comparisons->len == 0)
    return g_strdup (expr);
  edits = clmrs_xpath_edits_new ();
  clmrs_xpath_comparison_edits (tree, edits);
  return clmrs_xpath_apply_edits (expr, edits);
}

/* ------------------------------------------------------------------------ */
/* The comparison functions                                                 */

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

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
