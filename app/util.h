/* util.h: identifiers, times and dates shared by every module. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *clmrs_uuid_new            (void);
gboolean  clmrs_uuid_is_valid       (const char *text);

char     *clmrs_now_rfc3339         (void);
char     *clmrs_time_to_rfc3339     (GDateTime  *time);
GDateTime*clmrs_time_parse_rfc3339  (const char *text);

gboolean  clmrs_date_parse          (const char *text,
                                     GDate      *out);
char     *clmrs_date_format         (const GDate *date);
void      clmrs_date_today          (GDate      *out);
void      clmrs_date_add_months     (GDate      *date,
                                     guint       months);
int       clmrs_age_on              (const GDate *birth,
                                     const GDate *on);

G_END_DECLS
