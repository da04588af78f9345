/* test-xpath-rewrite.c: relational comparisons are rewritten with XPath precedence and compare dates as ODK does. */
#include "xpath-rewrite.h"

#include <math.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpathInternals.h>

/* libxml2 reports compile and evaluation errors through this; the tests
 * look at return values and codes instead of stderr. */
static int last_xml_error;

static void
quiet_errors (void       *data,
              xmlErrorPtr error)
{
  (void) data;
  last_xml_error = error->code;
}

static gboolean
libxml_compiles (const char *expr)
{
  xmlXPathCompExprPtr comp = xmlXPathCompile (BAD_CAST expr);

  if (comp == NULL)
    return FALSE;
  xmlXPathFreeCompExpr (comp);
  return TRUE;
}

/* ---------------------------------------------------------------------- */

typedef struct {
  const char *in;
  const char *out;   /* NULL: unchanged */
} Rewrite;

static const Rewrite rewrites[] = {
  /* The ODK cases that motivate the module. */
  { ". <= today()", "clmrs-le(., today())" },
  { "/data/end >= /data/start", "clmrs-ge(/data/end, /data/start)" },
  { ". > date('2020-01-01')", "clmrs-gt(., date('2020-01-01'))" },
  { "a<b", "clmrs-lt(a, b)" },
  { "  a\n<\tb  ", "  clmrs-lt(a, b)  " },
  /* Left associativity. */
  { "a < b < c", "clmrs-lt(clmrs-lt(a, b), c)" },
  { "a<b<=c>d>=e", "clmrs-ge(clmrs-gt(clmrs-le(clmrs-lt(a, b), c), d), e)" },
  /* Looser than + - * div mod unary minus and |. */
  { "a + 1 < b - 2", "clmrs-lt(a + 1, b - 2)" },
  { "a < b + c * d", "clmrs-lt(a, b + c * d)" },
  { "a * 2 > b div 3", "clmrs-gt(a * 2, b div 3)" },
  { "5 mod 2 >= 1", "clmrs-ge(5 mod 2, 1)" },
  { "-1 < -2", "clmrs-lt(-1, -2)" },
  { "- - 1 < 2", "clmrs-lt(- - 1, 2)" },
  { "a<-b", "clmrs-lt(a, -b)" },
  { "a - b < 3", "clmrs-lt(a - b, 3)" },
  { "a | b < c | d", "clmrs-lt(a | b, c | d)" },
  { "a<b|c", "clmrs-lt(a, b|c)" },
  /* Tighter than = != and or. */
  { "a = b < c", "a = clmrs-lt(b, c)" },
  { "a < b = c", "clmrs-lt(a, b) = c" },
  { "a != b > c", "a != clmrs-gt(b, c)" },
  { "1 < 2 = 2 > 1", "clmrs-lt(1, 2) = clmrs-gt(2, 1)" },
  { "a < b and c > d", "clmrs-lt(a, b) and clmrs-gt(c, d)" },
  { "a < b or c >= d and e <= f", "clmrs-lt(a, b) or clmrs-ge(c, d) and clmrs-le(e, f)" },
  { "1 and'a'<'b'", "1 and clmrs-lt('a', 'b')" },
  { "x or(a>b)", "x or(clmrs-gt(a, b))" },
  /* Parentheses, calls, predicates. */
  { "(a < b)", "(clmrs-lt(a, b))" },
  { "(a < b) < c", "clmrs-lt((clmrs-lt(a, b)), c)" },
  { "a < (b < c)", "clmrs-lt(a, (clmrs-lt(b, c)))" },
  { "if(. < 5, 'a', 'b')", "if(clmrs-lt(., 5), 'a', 'b')" },
  { "if(a < b, if(c > d, 1, 2), 3) >= 2",
    "clmrs-ge(if(clmrs-lt(a, b), if(clmrs-gt(c, d), 1, 2), 3), 2)" },
  { "item[. > 3]", "item[clmrs-gt(., 3)]" },
  { "count(/data/item[. > 3]) >= 2", "clmrs-ge(count(/data/item[clmrs-gt(., 3)]), 2)" },
  { "//a/b[@c > 1]/d < 2", "clmrs-lt(//a/b[clmrs-gt(@c, 1)]/d, 2)" },
  { "child::a[position() < last()]", "child::a[clmrs-lt(position(), last())]" },
  { "ancestor-or-self::node()/b >= 0", "clmrs-ge(ancestor-or-self::node()/b, 0)" },
  { "f(a)[1] < 2", "clmrs-lt(f(a)[1], 2)" },
  { "(a)/b < $x", "clmrs-lt((a)/b, $x)" },
  { "$x < .5", "clmrs-lt($x, .5)" },
  { "../a < @b", "clmrs-lt(../a, @b)" },
  { "/ < 1", "clmrs-lt(/, 1)" },
  { "x:y < x:*", "clmrs-lt(x:y, x:*)" },
  { "text() > comment()", "clmrs-gt(text(), comment())" },
  { "processing-instruction('p') < 1", "clmrs-lt(processing-instruction('p'), 1)" },
  { "a-b < c.d", "clmrs-lt(a-b, c.d)" },
  /* What the engine produces for repeats, and ODK idioms. */
  { "current()/../../age < 5", "clmrs-lt(current()/../../age, 5)" },
  { "instance('levels')/root/item[min_age <= current()/../age]/name",
    "instance('levels')/root/item[clmrs-le(min_age, current()/../age)]/name" },
  { "jr:choice-name(., '/data/x') > 'a'", "clmrs-gt(jr:choice-name(., '/data/x'), 'a')" },
  { "decimal-date-time(.) <= decimal-date-time(today())",
    "clmrs-le(decimal-date-time(.), decimal-date-time(today()))" },
  { "indexed-repeat(/data/r/age, /data/r, position(..)) >= 18 or count-selected(.) > 2",
    "clmrs-ge(indexed-repeat(/data/r/age, /data/r, position(..)), 18) or clmrs-gt(count-selected(.), 2)" },
  /* Literals hold < and > as text. */
  { "'<' < \">\"", "clmrs-lt('<', \">\")" },
  { "concat('a<b', \"c>=d\") > 'x'", "clmrs-gt(concat('a<b', \"c>=d\"), 'x')" },
  /* '*' and operator names: multiplication or name test by what precedes. */
  { "* < 3", "clmrs-lt(*, 3)" },
  { "2 * 3 < div", "clmrs-lt(2 * 3, div)" },
  { "div div div < mod mod mod", "clmrs-lt(div div div, mod mod mod)" },
  { "*/* * * > and", "clmrs-gt(*/* * *, and)" },
  { "or[or > and]", "or[clmrs-gt(or, and)]" },
  /* Unchanged, byte for byte. */
  { "a = b", NULL },
  { "/data/x + 1", NULL },
  { "concat('<', \">=\", \"'<'\")", NULL },
  { "if(a, b, c)", NULL },
  { "a != b and c or  d", NULL },
  { "selected(/data/tasks, 'land_clearing') and /data/age  =  12", NULL },
  { " -1 - -2 div 3 * 4 mod 5 | x ", NULL },
  { "//a[@b='c'][2]/following-sibling::*[1]", NULL },
  { "$v:w | (.)[1] | ../@*", NULL },
};

static void
test_rewrite_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rewrites); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = clmrs_xpath_rewrite_comparisons (rewrites[i].in, &error);
      const char *expected = rewrites[i].out != NULL ? rewrites[i].out : rewrites[i].in;

      g_test_message ("%s", rewrites[i].in);
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, expected);
      /* The input and the output are both XPath that libxml2 compiles. */
      g_assert_true (libxml_compiles (rewrites[i].in));
      g_assert_true (libxml_compiles (out));
    }
}

typedef struct {
  const char *in;
  int         code;
  const char *message;
} SyntaxError;

static const SyntaxError syntax_errors[] = {
  { "", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 1 of \"\": the expression is empty" },
  { "   ", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 1 of \"   \": the expression is empty" },
  { ". <", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 4 of \". <\": expected an expression after '<', "
    "found the end of the expression" },
  { "a < < b", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 5 of \"a < < b\": expected an expression after '<', found '<'" },
  { "a and", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 6 of \"a and\": expected an expression after 'and', "
    "found the end of the expression" },
  { "- ", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"- \": expected an expression after '-', "
    "found the end of the expression" },
  { "a < b)", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 6 of \"a < b)\": expected an operator or the end of the "
    "expression, found ')'" },
  { "1 2", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"1 2\": expected an operator or the end of the "
    "expression, found '2'" },
  { "(a < b", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 7 of \"(a < b\": expected ')' to close '(' at character 1, "
    "found the end of the expression" },
  { "a[1 = 1", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 8 of \"a[1 = 1\": expected ']' to close '[' at character 2, "
    "found the end of the expression" },
  { "if(a, b c)", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 9 of \"if(a, b c)\": expected an operator, found 'c'" },
  { "if(a, 'b' 'c')", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 11 of \"if(a, 'b' 'c')\": expected ',' or ')' after an "
    "argument of 'if()' opened at character 3, found ''c''" },
  { "f(,)", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"f(,)\": expected an expression, found ','" },
  { "()", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 2 of \"()\": expected an expression, found ')'" },
  { "'abc < 1", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 1 of \"'abc < 1\": the string literal starting here is "
    "not closed" },
  { "a ! b", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"a ! b\": expected '=' after '!'" },
  { "a # b", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"a # b\": unexpected character '#'" },
  { "a \x01", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"a \x01\": unexpected character U+0001" },
  { "a b", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"a b\": expected an operator, found 'b'" },
  { "a : b", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"a : b\": unexpected ':'" },
  { "a:", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 2 of \"a:\": expected a name or '*' after 'a:'" },
  { "foo::bar", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 1 of \"foo::bar\": unknown axis 'foo'" },
  { "child::", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 8 of \"child::\": expected a node test after '::', "
    "found the end of the expression" },
  { "@", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 2 of \"@\": expected a node test after '@', "
    "found the end of the expression" },
  { "$ x", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 1 of \"$ x\": expected a variable name after '$'" },
  { "a/", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"a/\": expected a location step after '/', "
    "found the end of the expression" },
  { "//", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"//\": expected a location step after '//', "
    "found the end of the expression" },
  { "f()//1", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 6 of \"f()//1\": expected a location step after '//', "
    "found '1'" },
  { "node( < 1", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 7 of \"node( < 1\": expected ')' to close '(' at character 5, "
    "found '<'" },
  { ".[1]", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 2 of \".[1]\": a predicate cannot follow '.' or '..' in "
    "XPath 1.0 (write self::node()[...]), found '['" },
  { "a ]", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"a ]\": expected an operator or the end of the "
    "expression, found ']'" },
  /* Positions count characters, not bytes. */
  { "'\xc3\xa9t\xc3\xa9' <", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 8 of \"'\xc3\xa9t\xc3\xa9' <\": expected an expression "
    "after '<', found the end of the expression" },
  /* Long tokens are cut short in messages. */
  { "1 'abcdefghijklmnopqrstuvwxyz0123456789'", CLMRS_XPATH_ERROR_SYNTAX,
    "invalid XPath at character 3 of \"1 'abcdefghijklmnopqrstuvwxyz0123456789'\": expected "
    "an operator or the end of the expression, found ''abcdefghijklmnopqrstuvwxyz...'" },
};

static void
test_syntax_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (syntax_errors); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = clmrs_xpath_rewrite_comparisons (syntax_errors[i].in, &error);

      g_test_message ("%s", syntax_errors[i].in);
      g_assert_null (out);
      g_assert_error (error, CLMRS_XPATH_ERROR, syntax_errors[i].code);
      g_assert_cmpstr (error->message, ==, syntax_errors[i].message);
    }
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = clmrs_xpath_rewrite_comparisons ("a < '\xff'", &error);

  g_assert_null (out);
  g_assert_error (error, CLMRS_XPATH_ERROR, CLMRS_XPATH_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "invalid XPath: not valid UTF-8 at byte 5");
  /* Callers may ignore the error. */
  g_assert_null (clmrs_xpath_rewrite_comparisons ("a <", NULL));
  g_assert_null (clmrs_xpath_rewrite_comparisons ("\xff", NULL));
}

/* Deep nesting is refused before the stack is; long flat chains are fine. */
static void
test_nesting_limits (void)
{
  struct { const char *open; const char *close; } kinds[] = {
    { "(", ")" }, { "f(", ")" }, { "a[", "]" }, { "-", "" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GString) ok = g_string_new (NULL);
      g_autoptr(GString) deep = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      for (int i = 0; i < 100; i++)
        g_string_append (ok, kinds[k].open);
      g_string_append (ok, "1<2");
      for (int i = 0; i < 100; i++)
        g_string_append (ok, kinds[k].close);
      out = clmrs_xpath_rewrite_comparisons (ok->str, &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (out, "clmrs-lt("));
      g_clear_pointer (&out, g_free);

      for (int i = 0; i < 10000; i++)
        g_string_append (deep, kinds[k].open);
      g_string_append (deep, "1");
      for (int i = 0; i < 10000; i++)
        g_string_append (deep, kinds[k].close);
      out = clmrs_xpath_rewrite_comparisons (deep->str, &error);
      g_assert_null (out);
      g_assert_error (error, CLMRS_XPATH_ERROR, CLMRS_XPATH_ERROR_TOO_DEEP);
      g_assert_nonnull (strstr (error->message, "nested more than 128 levels deep"));
    }
}

static void
test_long_chain (void)
{
  g_autoptr(GString) in = g_string_new ("0");
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const int n = 5000;

  for (int i = 0; i < n; i++)
    g_string_append (expected, "clmrs-lt(");
  g_string_append (expected, "0");
  for (int i = 1; i <= n; i++)
    {
      g_string_append_printf (in, " < %d", i);
      g_string_append_printf (expected, ", %d)", i);
    }
  out = clmrs_xpath_rewrite_comparisons (in->str, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, expected->str);
}

/* ---------------------------------------------------------------------- */
/* Evaluation                                                             */

static const char document[] =
  "<data>"
  "<start>2024-11-23</start>"
  "<end>2025-01-01</end>"
  "<dt>2024-11-23T10:00:00+02:00</dt>"
  "<n>10</n><m>9</m>"
  "<empty/>"
  "<item>1</item><item>5</item><item>7</item>"
  "<text>abc</text>"
  "</data>";

typedef struct {
  xmlDocPtr          doc;
  xmlXPathContextPtr ctxt;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  (void) data;
  f->doc = xmlReadMemory (document, sizeof document - 1, "test.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (f->doc);
  f->ctxt = xmlXPathNewContext (f->doc);
  f->ctxt->node = xmlDocGetRootElement (f->doc);
  clmrs_xpath_register_comparisons (f->ctxt);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  (void) data;
  xmlXPathFreeContext (f->ctxt);
  xmlFreeDoc (f->doc);
}

/* Evaluates @expr as written (the rewrite applied when @rewrite). */
static xmlXPathObjectPtr
evaluate (Fixture    *f,
          const char *expr,
          gboolean    rewrite)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = rewrite ? clmrs_xpath_rewrite_comparisons (expr, &error)
                                  : g_strdup (expr);
  xmlXPathCompExprPtr comp;
  xmlXPathObjectPtr result;

  g_assert_no_error (error);
  comp = xmlXPathCompile (BAD_CAST text);
  g_assert_nonnull (comp);
  result = xmlXPathCompiledEval (comp, f->ctxt);
  xmlXPathFreeCompExpr (comp);
  return result;
}

typedef enum { PLAIN_FALSE, PLAIN_TRUE, PLAIN_SAME } Plain;

typedef struct {
  const char *expr;
  gboolean    expected;
  Plain       plain;     /* what plain XPath 1.0 says, to show what changed */
} Evaluation;

static const Evaluation evaluations[] = {
  /* Dates, which plain XPath compares as NaN. */
  { "'2024-11-23' <= '2025-01-01'", TRUE, PLAIN_FALSE },
  { "'2024-11-23' > '2025-01-01'", FALSE, PLAIN_FALSE },
  { "'2025-01-01' > '2024-11-23'", TRUE, PLAIN_FALSE },
  { "/data/end >= /data/start", TRUE, PLAIN_FALSE },
  { "/data/end < /data/start", FALSE, PLAIN_FALSE },
  { "/data/start <= '2024-11-23'", TRUE, PLAIN_FALSE },     /* . <= today() on the day */
  { "/data/start < '2024-11-23'", FALSE, PLAIN_FALSE },
  { "/data/start >= '2024-11-23'", TRUE, PLAIN_FALSE },
  { "/data/start < '2024-11-24'", TRUE, PLAIN_FALSE },
  { "/data/start > '2024-11-22'", TRUE, PLAIN_FALSE },
  { "'2024-02-29' < '2024-03-01'", TRUE, PLAIN_FALSE },
  { "'1999-12-31' < '2000-01-01'", TRUE, PLAIN_FALSE },
  { "'0001-01-01' < '9999-12-31'", TRUE, PLAIN_FALSE },
  { "'  2024-11-23\n' < '2024-11-24'", TRUE, PLAIN_FALSE },
  /* dateTime against date and dateTime, zones applied. */
  { "/data/dt > '2024-11-23'", TRUE, PLAIN_FALSE },           /* 08:00Z */
  { "/data/dt < '2024-11-24'", TRUE, PLAIN_FALSE },
  { "/data/dt >= '2024-11-23T08:00:00Z'", TRUE, PLAIN_FALSE },
  { "/data/dt > '2024-11-23T08:00:00Z'", FALSE, PLAIN_FALSE },
  { "/data/dt < '2024-11-23T08:30Z'", TRUE, PLAIN_FALSE },
  { "/data/dt <= '2024-11-23T09:00:00+0100'", TRUE, PLAIN_FALSE },
  { "/data/dt < '2024-11-23T09:00:00+0100'", FALSE, PLAIN_FALSE },
  { "'2024-11-23T00:30:00+01:00' < '2024-11-23'", TRUE, PLAIN_FALSE },
  { "'2024-11-22T23:30:00-01:00' > '2024-11-23'", TRUE, PLAIN_FALSE },
  { "'2024-11-23T10:00:00.5Z' > '2024-11-23T10:00:00Z'", TRUE, PLAIN_FALSE },
  { "'2024-11-23T10:00:00.000' = '2024-11-23T10:00:00.000' and "
    "'2024-11-23T10:00:00.000' >= '2024-11-23T10:00:00Z'", TRUE, PLAIN_FALSE },
  { "'2024-11-23t10:00:00z' > '2024-11-23'", TRUE, PLAIN_FALSE },
  /* Dates as days since 1970-01-01, against numbers. */
  { "'1970-01-01' >= 0 and '1970-01-01' <= 0", TRUE, PLAIN_FALSE },
  { "'1970-01-02T12:00:00Z' >= 1.5 and '1970-01-02T12:00:00Z' <= 1.5", TRUE, PLAIN_FALSE },
  { "'1969-12-31' < 0", TRUE, PLAIN_FALSE },
  { "/data/start >= 20050 and /data/start <= 20050", TRUE, PLAIN_FALSE },
  { "/data/start > 20049.5", TRUE, PLAIN_FALSE },
  { "20051 > /data/start", TRUE, PLAIN_FALSE },
  /* Not dates: NaN, so false both ways. */
  { "'2023-02-29' < '2024-03-01'", FALSE, PLAIN_FALSE },
  { "'2023-02-29' >= '2024-03-01'", FALSE, PLAIN_FALSE },
  { "'2024-1-23' < '2025-01-01'", FALSE, PLAIN_FALSE },
  { "'2024-13-01' < '2025-01-01'", FALSE, PLAIN_FALSE },
  { "'2024-11-23T24:00:00Z' < '2030-01-01'", FALSE, PLAIN_FALSE },
  { "'2024-11-23T10:00:00+24:00' < '2030-01-01'", FALSE, PLAIN_FALSE },
  { "'2024-11-23T10:00:00.' < '2030-01-01'", FALSE, PLAIN_FALSE },
  { "'2024-11-23 10:00' < '2030-01-01'", FALSE, PLAIN_FALSE },
  { "'2024-11-23x' < '2030-01-01'", FALSE, PLAIN_FALSE },
  { "'abc' < '2030-01-01'", FALSE, PLAIN_FALSE },
  { "'' < '2030-01-01'", FALSE, PLAIN_FALSE },
  /* Numbers, booleans and numeric strings: exactly plain XPath. */
  { "'10' > '9'", TRUE, PLAIN_SAME },
  { "/data/n > /data/m", TRUE, PLAIN_SAME },
  { "/data/n <= 10", TRUE, PLAIN_SAME },
  { "' 10 ' >= 10", TRUE, PLAIN_SAME },
  { "-1 < -2", FALSE, PLAIN_SAME },
  { "-2 < -1", TRUE, PLAIN_SAME },
  { "1 < 2 < 3", TRUE, PLAIN_SAME },     /* (1 < 2) < 3: 1 < 3 */
  { "3 > 2 > 1", FALSE, PLAIN_SAME },    /* (3 > 2) > 1: 1 > 1 */
  { "1 + 1 >= 2 = 1 < 2", TRUE, PLAIN_SAME },
  { "true() > false()", TRUE, PLAIN_SAME },
  { "true() >= 1", TRUE, PLAIN_SAME },
  { "1 div 0 > 1000", TRUE, PLAIN_SAME },
  { "-1 div 0 < -1000", TRUE, PLAIN_SAME },
  { "count(/data/item[. > 3]) = 2", TRUE, PLAIN_SAME },
  { "/data/item[. >= 5][1] = 5", TRUE, PLAIN_SAME },
  { "count(/data/item[position() < last()]) = 2", TRUE, PLAIN_SAME },
  /* NaN compares false. */
  { "'abc' < 'abd'", FALSE, PLAIN_SAME },
  { "'abc' >= 'abc'", FALSE, PLAIN_SAME },
  { "/data/text > 1", FALSE, PLAIN_SAME },
  { "/data/text <= 1", FALSE, PLAIN_SAME },
  { "number('x') < 1", FALSE, PLAIN_SAME },
  { "0 div 0 >= 0 div 0", FALSE, PLAIN_SAME },
  { "'' < 1", FALSE, PLAIN_SAME },
  /* Empty nodes and empty node-sets are "": NaN against anything. */
  { "/data/empty < 1", FALSE, PLAIN_SAME },
  { "/data/empty >= 0", FALSE, PLAIN_SAME },
  { "/data/missing < 1", FALSE, PLAIN_SAME },
  { "/data/missing >= /data/start", FALSE, PLAIN_SAME },
  { "/data/missing < '2024-01-01'", FALSE, PLAIN_SAME },
  { "/data/empty <= /data/start", FALSE, PLAIN_SAME },
  /* Node-sets give their first node, not any node (the documented choice). */
  { "/data/item > 6", FALSE, PLAIN_TRUE },
  { "/data/item < 2", TRUE, PLAIN_SAME },
  { "(/data/m | /data/n) <= 9", FALSE, PLAIN_TRUE },   /* document order: n (10) first */
};

static void
test_evaluations (Fixture      *f,
                  gconstpointer data)
{
  (void) data;

  for (guint i = 0; i < G_N_ELEMENTS (evaluations); i++)
    {
      const Evaluation *e = &evaluations[i];
      xmlXPathObjectPtr ours = evaluate (f, e->expr, TRUE);
      xmlXPathObjectPtr plain = evaluate (f, e->expr, FALSE);
      gboolean plain_expected = e->plain == PLAIN_SAME ? e->expected : e->plain == PLAIN_TRUE;

      g_test_message ("%s", e->expr);
      g_assert_nonnull (ours);
      g_assert_nonnull (plain);
      g_assert_cmpint (ours->type, ==, XPATH_BOOLEAN);
      g_assert_cmpint (ours->boolval, ==, e->expected);
      g_assert_cmpint (xmlXPathCastToBoolean (plain), ==, plain_expected);
      xmlXPathFreeObject (ours);
      xmlXPathFreeObject (plain);
    }
}

static void
test_arity (Fixture      *f,
            gconstpointer data)
{
  const char *calls[] = { "clmrs-lt(1)", "clmrs-le()", "clmrs-gt(1, 2, 3)", "clmrs-ge(1)" };

  (void) data;
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      xmlXPathObjectPtr result;

      last_xml_error = 0;
      result = evaluate (f, calls[i], FALSE);
      g_assert_null (result);
      g_assert_cmpint (last_xml_error, ==, XML_XPATH_INVALID_ARITY);
    }
}

/* ---------------------------------------------------------------------- */
/* Random expressions                                                     */

static void gen_expr (GString *s, int depth);

static void
gen_operand (GString *s,
             int      depth)
{
  static const char *const atoms[] = { "0", "1", "2", "3", "2.5", ".5", "'3'", "' 1 '", "''",
                                       "true()", "false()", "(0 div 0)" };

  switch (depth > 0 ? g_test_rand_int_range (0, 6) : 0)
    {
    case 0:
    case 1:
      g_string_append (s, atoms[g_test_rand_int_range (0, G_N_ELEMENTS (atoms))]);
      break;
    case 2:
      g_string_append (s, "-");
      gen_operand (s, depth - 1);
      break;
    case 3:
      g_string_append (s, "(");
      gen_expr (s, depth - 1);
      g_string_append (s, ")");
      break;
    case 4:
      g_string_append (s, "number(");
      gen_expr (s, depth - 1);
      g_string_append (s, ")");
      break;
    default:
      g_string_append (s, "boolean(");
      gen_expr (s, depth - 1);
      g_string_append (s, ")");
      break;
    }
}

static void
gen_expr (GString *s,
          int      depth)
{
  static const char *const ops[] = { "+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">",
                                     ">=", "and", "or", "<", "<=", ">", ">=" };
  int n = g_test_rand_int_range (0, 5);

  gen_operand (s, depth);
  for (int i = 0; i < n; i++)
    {
      const char *op = ops[g_test_rand_int_range (0, G_N_ELEMENTS (ops))];
      gboolean word = g_ascii_isalpha (op[0]);

      g_string_append (s, word || g_test_rand_bit () ? " " : "");
      g_string_append (s, op);
      g_string_append (s, word || g_test_rand_bit () ? " " : "");
      gen_operand (s, depth);
    }
}

/* On numbers, booleans and numeric strings the rewritten expression must
 * give exactly what libxml2 gives for the original: any precedence or
 * associativity mistake changes some result. */
static void
test_random_against_libxml (Fixture      *f,
                            gconstpointer data)
{
  guint rewritten = 0;

  (void) data;
  for (int i = 0; i < 3000; i++)
    {
      g_autoptr(GString) expr = g_string_new (NULL);
      xmlXPathObjectPtr ours, plain;
      xmlChar *ours_text, *plain_text;

      gen_expr (expr, 3);
      ours = evaluate (f, expr->str, TRUE);
      plain = evaluate (f, expr->str, FALSE);
      g_assert_nonnull (ours);
      g_assert_nonnull (plain);
      ours_text = xmlXPathCastToString (ours);
      plain_text = xmlXPathCastToString (plain);
      if (ours->type != plain->type || g_strcmp0 ((char *) ours_text, (char *) plain_text) != 0)
        g_error ("%s: %s (type %d) with the rewrite, %s (type %d) without",
                 expr->str, ours_text, ours->type, plain_text, plain->type);
      if (strpbrk (expr->str, "<>") != NULL)
        rewritten++;
      xmlFree (ours_text);
      xmlFree (plain_text);
      xmlXPathFreeObject (ours);
      xmlXPathFreeObject (plain);
    }
  g_assert_cmpuint (rewritten, >, 1000);
}

/* Token soup: never a crash or an out-of-bounds read; an accepted
 * expression without < or > comes back unchanged; an accepted expression
 * that libxml2 compiles still compiles after the rewrite. */
static void
test_random_token_soup (void)
{
  static const char *const pieces[] = {
    "a", "b:c", "1", ".5", "'x'", "\"<\"", "(", ")", "[", "]", "<", "<=", ">", ">=", "=", "!=",
    "and", "or", "div", "mod", "*", "/", "//", "|", "+", "-", "@", "::", "child", "$v", "f(",
    ",", ".", "..", "node()", " ", "text", "'", "!", ":", "\xc3\xa9", "p:*", "processing-instruction(",
  };
  guint accepted = 0;

  for (int i = 0; i < 20000; i++)
    {
      g_autoptr(GString) expr = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      int n = g_test_rand_int_range (1, 10);

      for (int j = 0; j < n; j++)
        g_string_append (expr, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      out = clmrs_xpath_rewrite_comparisons (expr->str, &error);
      if (out == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (g_str_has_prefix (error->message, "invalid XPath"));
          continue;
        }
      accepted++;
      g_assert_no_error (error);
      if (strpbrk (expr->str, "<>") == NULL)
        g_assert_cmpstr (out, ==, expr->str);
      if (libxml_compiles (expr->str) && !libxml_compiles (out))
        g_error ("libxml2 compiles \"%s\" but not its rewrite \"%s\"", expr->str, out);
    }
  g_assert_cmpuint (accepted, >, 500);
}

/* Every XPath in the shipped forms goes through the rewrite and still
 * compiles: the parser is not stricter than the forms we ship. */
static void
test_shipped_forms (void)
{
  static const char *const forms[] = { "awareness_session", "community_profile",
                                       "follow_up_visit", "household_visit", "support_record" };
  static const char *const attributes[] = { "calculate", "relevant", "constraint", "required",
                                            "readonly", "ref", "nodeset", "value", NULL };
  const char *source = g_getenv ("CLMRS_SOURCE_DIR");
  guint checked = 0, rewritten = 0;

  g_assert_nonnull (source);
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *name = g_strconcat (forms[i], ".xml", NULL);
      g_autofree char *path = g_build_filename (source, "assets", "forms", name, NULL);
      xmlDocPtr doc = xmlReadFile (path, NULL, XML_PARSE_NONET);
      xmlXPathContextPtr ctxt;
      xmlXPathObjectPtr nodes;

      g_assert_nonnull (doc);
      ctxt = xmlXPathNewContext (doc);
      nodes = xmlXPathEvalExpression (BAD_CAST "//@*", ctxt);
      g_assert_nonnull (nodes);
      for (int n = 0; nodes->nodesetval != NULL && n < nodes->nodesetval->nodeNr; n++)
        {
          xmlNodePtr attr = nodes->nodesetval->nodeTab[n];
          g_autoptr(GError) error = NULL;
          g_autofree char *out = NULL;
          xmlChar *expr;

          if (attr->ns != NULL || !g_strv_contains (attributes, (const char *) attr->name) ||
              (xmlStrEqual (attr->name, BAD_CAST "value") &&
               !xmlStrEqual (attr->parent->name, BAD_CAST "output") &&
               !xmlStrEqual (attr->parent->name, BAD_CAST "setvalue")))
            continue;
          expr = xmlNodeGetContent (attr);
          out = clmrs_xpath_rewrite_comparisons ((const char *) expr, &error);
          if (error != NULL)
            g_error ("%s line %ld: %s", path, xmlGetLineNo (attr->parent), error->message);
          g_assert_true (libxml_compiles (out));
          checked++;
          rewritten += g_strcmp0 (out, (const char *) expr) != 0;
          xmlFree (expr);
        }
      xmlXPathFreeObject (nodes);
      xmlXPathFreeContext (ctxt);
      xmlFreeDoc (doc);
    }
  g_test_message ("%u expressions, %u rewritten", checked, rewritten);
  g_assert_cmpuint (checked, >, 500);
  g_assert_cmpuint (rewritten, >, 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  xmlSetStructuredErrorFunc (NULL, quiet_errors);

  g_test_add_func ("/xpath-rewrite/rewrite-table", test_rewrite_table);
  g_test_add_func ("/xpath-rewrite/syntax-errors", test_syntax_errors);
  g_test_add_func ("/xpath-rewrite/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/xpath-rewrite/nesting-limits", test_nesting_limits);
  g_test_add_func ("/xpath-rewrite/long-chain", test_long_chain);
  g_test_add_func ("/xpath-rewrite/random-token-soup", test_random_token_soup);
  g_test_add_func ("/xpath-rewrite/shipped-forms", test_shipped_forms);
  g_test_add ("/xpath-rewrite/evaluations", Fixture, NULL,
              fixture_set_up, test_evaluations, fixture_tear_down);
  g_test_add ("/xpath-rewrite/arity", Fixture, NULL,
              fixture_set_up, test_arity, fixture_tear_down);
  g_test_add ("/xpath-rewrite/random-against-libxml", Fixture, NULL,
              fixture_set_up, test_random_against_libxml, fixture_tear_down);

  int status = g_test_run ();
  xmlCleanupParser ();
  return status;
}
