/* test-xpath-parse.c: the one XPath parser gives each expression's structure, tokens and errors, and applies edits nested as written. */
#include "xpath-parse.h"

#include <string.h>

static void dump_node (GString              *out,
                       const ClmrsXPathTree *tree,
                       const ClmrsXPathNode *node);

static void
dump_predicates (GString              *out,
                 const ClmrsXPathTree *tree,
                 GPtrArray            *predicates)
{
  for (guint i = 0; predicates != NULL && i < predicates->len; i++)
    {
      g_string_append_c (out, '[');
      dump_node (out, tree, predicates->pdata[i]);
      g_string_append_c (out, ']');
    }
}

/* The tree as an S-expression: (op left right), (neg x), (group x),
 * (call name args...), (path abs? filter? steps...); a step is its kind
 * and node test, "//" first when it follows '//'. */
static void
dump_node (GString              *out,
           const ClmrsXPathTree *tree,
           const ClmrsXPathNode *node)
{
  static const char *const step_kinds[] = { "self", "parent", "name", "attr", "axis", "type" };
  g_autofree char *first = clmrs_xpath_tree_text (tree, node->first);

  switch (node->kind)
    {
    case CLMRS_XPATH_NODE_BINARY:
      {
        const ClmrsXPathToken *op = NULL;

        /* the operator is the token right after the left operand */
        op = clmrs_xpath_tree_token (tree, node->left->last + 1);
        g_assert_cmpint (op->kind, ==, node->op);
        g_string_append_printf (out, "(%.*s ", (int) (op->end - op->start), tree->source + op->start);
        dump_node (out, tree, node->left);
        g_string_append_c (out, ' ');
        dump_node (out, tree, node->right);
        g_string_append_c (out, ')');
      }
      break;
    case CLMRS_XPATH_NODE_NEGATE:
      g_string_append (out, "(neg ");
      dump_node (out, tree, node->left);
      g_string_append_c (out, ')');
      break;
    case CLMRS_XPATH_NODE_GROUP:
      g_string_append (out, "(group ");
      dump_node (out, tree, node->left);
      g_string_append_c (out, ')');
      break;
    case CLMRS_XPATH_NODE_LITERAL:
    case CLMRS_XPATH_NODE_NUMBER:
    case CLMRS_XPATH_NODE_VARIABLE:
      g_string_append (out, first);
      break;
    case CLMRS_XPATH_NODE_CALL:
      g_string_append_printf (out, "(call %s", first);
      for (guint i = 0; i < node->args->len; i++)
        {
          g_string_append_c (out, ' ');
          dump_node (out, tree, node->args->pdata[i]);
        }
      g_string_append_c (out, ')');
      break;
    case CLMRS_XPATH_NODE_PATH:
      g_string_append (out, "(path");
      if (node->absolute)
        g_string_append (out, " abs");
      if (node->filter != NULL)
        {
          g_string_append (out, " filter ");
          dump_node (out, tree, node->filter);
          dump_predicates (out, tree, node->filter_predicates);
        }
      for (guint i = 0; i < node->steps->len; i++)
        {
          const ClmrsXPathStep *step = node->steps->pdata[i];
          g_autofree char *test = clmrs_xpath_tree_text (tree, step->test);

          g_string_append_printf (out, " %s%s:%s", step->descendant ? "//" : "",
                                  step_kinds[step->kind], test);
          dump_predicates (out, tree, step->predicates);
        }
      g_string_append_c (out, ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

static char *
dump (const char *expr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsXPathTree) tree = clmrs_xpath_parse (expr, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (tree);
  /* every node spans its own source text: the root spans all tokens */
  g_assert_cmpuint (tree->root->first, ==, 0);
  g_assert_cmpuint (tree->root->last, ==, tree->tokens->len - 2);
  g_assert_cmpint (clmrs_xpath_tree_token (tree, tree->tokens->len - 1)->kind, ==, CLMRS_XPATH_TOKEN_END);
  dump_node (out, tree, tree->root);
  return g_string_free (out, FALSE);
}

/* The structure the engine's walk and the rewrite read. */
static void
test_trees (void)
{
  static const struct { const char *in; const char *tree; } cases[] = {
    { "1", "1" },
    { "/", "(path abs)" },
    { "/data/a", "(path abs name:data name:a)" },
    { "//a", "(path abs //name:a)" },
    { "/data//a/@id", "(path abs name:data //name:a attr:id)" },
    { "../x + .", "(+ (path parent:.. name:x) (path self:.))" },
    { "a or b and c = d < e + f * -g | h",
      "(or (path name:a) (and (path name:b) (= (path name:c) (< (path name:d) "
      "(+ (path name:e) (* (path name:f) (neg (| (path name:g) (path name:h)))))))))" },
    { "a < b < c", "(< (< (path name:a) (path name:b)) (path name:c))" },
    { "1 - - 2", "(- 1 (neg 2))" },
    { "current()/../x", "(path filter (call current) parent:.. name:x)" },
    { "instance('list')/root/item[name = /data/k]/label",
      "(path filter (call instance 'list') name:root name:item[(= (path name:name) (path abs name:data name:k))] "
      "name:label)" },
    { "(/data/rep)[2]", "(path filter (group (path abs name:data name:rep))[2])" },
    { "(/data/rep)", "(group (path abs name:data name:rep))" },
    { "child::a/text()", "(path axis:a type:text)" },
    { "*/jr:x | odk:*", "(| (path name:* name:jr:x) (path name:odk:*))" },
    { "concat($v, \"a\", 1.5)", "(call concat $v \"a\" 1.5)" },
    { "processing-instruction('x')", "(path type:processing-instruction)" },
    { "a[1][last()]", "(path name:a[1][(call last)])" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *tree = dump (cases[i].in);

      if (g_strcmp0 (tree, cases[i].tree) != 0)
        g_error ("\"%s\": got %s, expected %s", cases[i].in, tree, cases[i].tree);
    }
}

/* The comparisons are listed in source order of their operators, outer
 * ones after the inner ones they contain on the left. */
static void
test_comparisons_listed (void)
{
  g_autoptr(ClmrsXPathTree) tree = clmrs_xpath_parse ("a < b and f(c >= d) or x = y > z < w", NULL);
  static const ClmrsXPathTokenKind ops[] = {
    CLMRS_XPATH_TOKEN_LT, CLMRS_XPATH_TOKEN_GE, CLMRS_XPATH_TOKEN_GT, CLMRS_XPATH_TOKEN_LT,
  };

  g_assert_nonnull (tree);
  g_assert_cmpuint (tree->comparisons->len, ==, G_N_ELEMENTS (ops));
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    g_assert_cmpint (((ClmrsXPathNode *) tree->comparisons->pdata[i])->op, ==, ops[i]);
  /* y > z < w: the second comparison's left operand is the first */
  g_assert_true (((ClmrsXPathNode *) tree->comparisons->pdata[3])->left == tree->comparisons->pdata[2]);
}

static void
test_tokens (void)
{
  g_autoptr(ClmrsXPathTree) tree = clmrs_xpath_parse (" count( /d/é ) div 2", NULL);
  static const struct { ClmrsXPathTokenKind kind; const char *text; } tokens[] = {
    { CLMRS_XPATH_TOKEN_FUNCTION, "count" }, { CLMRS_XPATH_TOKEN_LPAREN, "(" },
    { CLMRS_XPATH_TOKEN_SLASH, "/" }, { CLMRS_XPATH_TOKEN_NAMETEST, "d" },
    { CLMRS_XPATH_TOKEN_SLASH, "/" }, { CLMRS_XPATH_TOKEN_NAMETEST, "é" },
    { CLMRS_XPATH_TOKEN_RPAREN, ")" }, { CLMRS_XPATH_TOKEN_DIV, "div" },
    { CLMRS_XPATH_TOKEN_NUMBER, "2" }, { CLMRS_XPATH_TOKEN_END, "" },
  };

  g_assert_nonnull (tree);
  g_assert_cmpuint (tree->tokens->len, ==, G_N_ELEMENTS (tokens));
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autofree char *text = clmrs_xpath_tree_text (tree, i);

      g_assert_cmpint (clmrs_xpath_tree_token (tree, i)->kind, ==, tokens[i].kind);
      g_assert_cmpstr (text, ==, tokens[i].text);
    }
}

static void
test_errors (void)
{
  static const struct { const char *in; int code; const char *message; } cases[] = {
    { "concat('a'", CLMRS_XPATH_ERROR_SYNTAX,
      "invalid XPath at character 11 of \"concat('a'\": expected ',' or ')' after an argument of "
      "'concat()' opened at character 7, found the end of the expression" },
    { "'a", CLMRS_XPATH_ERROR_SYNTAX,
      "invalid XPath at character 1 of \"'a\": the string literal starting here is not closed" },
    { "/data/a + * 2", CLMRS_XPATH_ERROR_SYNTAX,
      "invalid XPath at character 13 of \"/data/a + * 2\": expected an operator or the end of the "
      "expression, found '2'" },
    { "a/", CLMRS_XPATH_ERROR_SYNTAX,
      "invalid XPath at character 3 of \"a/\": expected a location step after '/', found the end "
      "of the expression" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsXPathTree) tree = clmrs_xpath_parse (cases[i].in, &error);

      g_assert_null (tree);
      g_assert_error (error, CLMRS_XPATH_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* Edits at one place nest: a wrapped path closes inside a comparison's
 * call, calls open outside in; a span already replaced drops what starts
 * in it; a name never glues onto inserted text. */
static void
test_edits (void)
{
  const char *source = "a<b";
  g_autoptr(GArray) edits = clmrs_xpath_edits_new ();
  g_autoptr(GArray) overlap = clmrs_xpath_edits_new ();
  g_autoptr(GArray) glue = clmrs_xpath_edits_new ();
  g_autofree char *out = NULL;
  g_autofree char *dropped = NULL;
  g_autofree char *spaced = NULL;

  /* added in the order least likely to come out right */
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_WRAP_OPEN, 0, 0, 0, "w(");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_CALL_OPEN, 0, 0, 3, "inner(");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_CALL_CLOSE, 3, 3, 3, ")");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_OPERATOR, 1, 2, 3, ", ");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_CALL_OPEN, 0, 0, 9, "outer(");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_WRAP_CLOSE, 1, 1, 0, ")");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_CALL_CLOSE, 3, 3, 9, "]");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_WRAP_OPEN, 2, 2, 0, "v(");
  clmrs_xpath_edits_add (edits, CLMRS_XPATH_EDIT_WRAP_CLOSE, 3, 3, 0, "}");
  out = clmrs_xpath_apply_edits (source, edits);
  g_assert_cmpstr (out, ==, "outer(inner(w(a), v(b})]");

  /* an insertion comes before a replacement at the same place */
  clmrs_xpath_edits_add (overlap, CLMRS_XPATH_EDIT_WRAP_OPEN, 0, 5, 0, "current()/..");
  clmrs_xpath_edits_add (overlap, CLMRS_XPATH_EDIT_WRAP_OPEN, 2, 2, 0, "lost");
  clmrs_xpath_edits_add (overlap, CLMRS_XPATH_EDIT_WRAP_OPEN, 0, 0, 0, "first:");
  dropped = clmrs_xpath_apply_edits ("/d/rp/x", overlap);
  g_assert_cmpstr (dropped, ==, "first:current()/../x");

  clmrs_xpath_edits_add (glue, CLMRS_XPATH_EDIT_WRAP_OPEN, 5, 5, 0, "f(");
  clmrs_xpath_edits_add (glue, CLMRS_XPATH_EDIT_WRAP_CLOSE, 7, 7, 0, ")");
  clmrs_xpath_edits_add (glue, CLMRS_XPATH_EDIT_WRAP_OPEN, 9, 9, 0, "g(");
  clmrs_xpath_edits_add (glue, CLMRS_XPATH_EDIT_WRAP_CLOSE, 11, 11, 0, ")");
  spaced = clmrs_xpath_apply_edits ("1 and/d -/e", glue);
  g_assert_cmpstr (spaced, ==, "1 and f(/d) -g(/e)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xpath-parse/trees", test_trees);
  g_test_add_func ("/xpath-parse/comparisons-listed", test_comparisons_listed);
  g_test_add_func ("/xpath-parse/tokens", test_tokens);
  g_test_add_func ("/xpath-parse/errors", test_errors);
  g_test_add_func ("/xpath-parse/edits", test_edits);

  return g_test_run ();
}
