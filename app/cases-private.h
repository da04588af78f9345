/* cases-private.h: the parsers cases.c and indicators.c share, so both read rows alike. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A visit's finding, from its classification status code. */
typedef enum {
  _CLMRS_FINDING_NONE,                 /* not assessed (NULL or "") */
  _CLMRS_FINDING_OUT_OF_SCOPE,
  _CLMRS_FINDING_NOT_IN_CHILD_LABOUR,
  _CLMRS_FINDING_AT_RISK,
  _CLMRS_FINDING_CHILD_LABOUR,
  _CLMRS_FINDING_HAZARDOUS,
  _CLMRS_FINDING_WORST_FORM,
} _ClmrsFinding;

typedef enum {
  _CLMRS_VISIT_HOUSEHOLD,
  _CLMRS_VISIT_FARM,
  _CLMRS_VISIT_FOLLOW_UP,
} _ClmrsVisitKind;

#define _CLMRS_FINDING_IS_CL(f)      ((f) >= _CLMRS_FINDING_CHILD_LABOUR)
#define _CLMRS_FINDING_IS_CLEAN(f)   ((f) == _CLMRS_FINDING_NOT_IN_CHILD_LABOUR || \
                                      (f) == _CLMRS_FINDING_AT_RISK)
#define _CLMRS_FINDING_IN_SCOPE(f)   ((f) >= _CLMRS_FINDING_NOT_IN_CHILD_LABOUR)

gboolean _clmrs_day_parse          (const char      *text,
                                    guint32         *julian);
void     _clmrs_day_format         (guint32          julian,
                                    char             out[11]);
gboolean _clmrs_finding_parse      (const char      *text,
                                    _ClmrsFinding   *out);
gboolean _clmrs_visit_kind_parse   (const char      *text,
                                    _ClmrsVisitKind *out);
gboolean _clmrs_child_present_parse (const char     *text,
                                    gboolean        *present);

G_END_DECLS
