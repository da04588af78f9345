/* util.h: identifiers, times, dates and CSV cells shared by every module. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *clmrs_uuid_new            (void);
/* Demo data only: UUIDs from a seeded generator (0 = random again), and a
 * clock that reads @rfc3339 (NULL = the real clock), so a seed gives the
 * same data every time.  Both belong to the calling thread: the demo made
 * on the app's database worker never moves the clock or the UUIDs of the
 * main thread or of a sync running meanwhile. */
void      clmrs_uuid_set_seed       (guint32     seed);
void      clmrs_clock_set           (const char *rfc3339);
gboolean  clmrs_uuid_is_valid       (const char *text);

char     *clmrs_now_rfc3339         (void);
GDateTime*clmrs_now                 (void);
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

/* @text as searched: lowercase, accents dropped ("Kouamé" -> "kouame"). */
char     *clmrs_fold_for_search     (const char *text);

void      clmrs_csv_append_cell     (GString    *out,
                                     const char *text,
                                     gboolean    is_number);

G_END_DECLS
