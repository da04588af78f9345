/* xpath-rewrite.h: ODK-style date-aware relational comparisons for XPath 1.0. */
#pragma once

#include "xpath-parse.h"

#include <libxml/xpath.h>

G_BEGIN_DECLS

/*
 * XPath 1.0 turns both sides of <, <=, > and >= into numbers, so
 * "2024-11-23" <= "2025-01-01" is NaN <= NaN: false.  ODK (JavaRosa)
 * compares such values as dates.  libxml2 has no hook into comparisons, so
 * expressions are rewritten before they are compiled: every relational
 * comparison "A op B" becomes a call clmrs-lt(A, B), clmrs-le(A, B),
 * clmrs-gt(A, B) or clmrs-ge(A, B), functions that
 * clmrs_xpath_register_comparisons() adds to an XPath context.
 *
 * Use: add the comparison edits of each parsed bind, ref and nodeset
 * expression (clmrs_xpath_comparison_edits(), with the engine's own edits,
 * app/xpath-parse.h) or rewrite an expression on its own
 * (clmrs_xpath_rewrite_comparisons()), compile the result with
 * xmlXPathCompile(), and register the functions on every context that
 * evaluates it.  Syntax errors are the parser's (CLMRS_XPATH_ERROR).
 *
 * Comparison semantics (JavaRosa's): each argument becomes one value, a
 * node-set the string value of its first node in document order ("" when
 * empty).  If either value is a string holding an XForms date (YYYY-MM-DD)
 * or dateTime (YYYY-MM-DDThh:mm[:ss[.f]][Z|+hh:mm|-hh:mm], no zone = UTC),
 * both sides become decimal days since 1970-01-01T00:00Z (dates at midnight
 * UTC, a non-date side through number()); otherwise both sides go through
 * number() as in plain XPath.  NaN compares false.  Node-sets are not
 * compared existentially as XPath 1.0 does ("some node satisfies it"):
 * /data/item > 6 looks at the first item only.
 */

void    clmrs_xpath_comparison_edits         (const ClmrsXPathTree *tree,
                                              GArray               *edits);
char   *clmrs_xpath_rewrite_comparisons      (const char           *expr,
                                              GError              **error);
void    clmrs_xpath_register_comparisons     (xmlXPathContextPtr    ctxt);

G_END_DECLS
