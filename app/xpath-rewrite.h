/* xpath-rewrite.h: ODK-style date-aware relational comparisons for XPath 1.0. */
#pragma once

#include <glib.h>
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
 */

#define CLMRS_XPATH_REWRITE_ERROR (clmrs_xpath_rewrite_error_quark ())

typedef enum {
  CLMRS_XPATH_REWRITE_ERROR_SYNTAX,     /* not an XPath 1.0 expression */
  CLMRS_XPATH_REWRITE_ERROR_TOO_DEEP,   /* nested deeper than the parser allows */
} ClmrsXPathRewriteError;

GQuark  clmrs_xpath_rewrite_error_quark      (void);

char   *clmrs_xpath_rewrite_comparisons      (const char        *expr,
                                              GError           **error);
void    clmrs_xpath_register_comparisons     (xmlXPathContextPtr ctxt);

G_END_DECLS
