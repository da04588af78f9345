/* util.c: identifiers, times, dates and CSV cells shared by every module. */
#define G_LOG_DOMAIN "clmrs-util"

#include "util.h"

#include <stdio.h>
#include <string.h>

/**
 * clmrs_uuid_new:
 *
 * Returns: (transfer full): a random (version 4) UUID in lower case.
 */
/* per thread (see util.h): no lock, and no other thread sees the demo's */
static __thread GRand *uuid_rand;
static __thread char *fixed_clock;

char *
clmrs_uuid_new (void)
{
  guint8 b[16];

  if (uuid_rand == NULL)
    return g_uuid_string_random ();
  for (guint i = 0; i < 16; i += 4)
    {
      guint32 r = g_rand_int (uuid_rand);
      memcpy (b + i, &r, 4);
    }
  b[6] = (b[6] & 0x0f) | 0x40;  /* version 4 */
  b[8] = (b[8] & 0x3f) | 0x80;  /* RFC 4122 variant */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void
clmrs_uuid_set_seed (guint32 seed)
{
  g_clear_pointer (&uuid_rand, g_rand_free);
  if (seed != 0)
    uuid_rand = g_rand_new_with_seed (seed);
}

void
clmrs_clock_set (const char *rfc3339)
{
  g_free (fixed_clock);
  fixed_clock = g_strdup (rfc3339);
}

/* TRUE when @text is a UUID in its canonical 36-character form. */
gboolean
clmrs_uuid_is_valid (const char *text)
{
  return text != NULL && g_uuid_string_is_valid (text);
}

/* An RFC 3339 UTC timestamp with second precision: 2026-11-23T09:01:48Z. */
char *
clmrs_time_to_rfc3339 (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

char *
clmrs_now_rfc3339 (void)
{
  g_autoptr(GDateTime) now = NULL;

  if (fixed_clock != NULL)
    return g_strdup (fixed_clock);
  now = g_date_time_new_now_utc ();

  return clmrs_time_to_rfc3339 (now);
}

/* Returns: (transfer full): now, local time, or the demo clock when set. */
GDateTime *
clmrs_now (void)
{
  if (fixed_clock != NULL)
    {
      GDateTime *fixed = g_date_time_new_from_iso8601 (fixed_clock, NULL);
      if (fixed != NULL)
        return fixed;
    }
  return g_date_time_new_now_local ();
}

/* Returns: (nullable): the time, or %NULL when @text is not RFC 3339. */
GDateTime *
clmrs_time_parse_rfc3339 (const char *text)
{
  if (text == NULL)
    return NULL;
  return g_date_time_new_from_iso8601 (text, NULL);
}

/**
 * clmrs_date_parse:
 * @text: a calendar date, YYYY-MM-DD (a longer RFC 3339 time is cut to its date)
 *
 * Returns: %TRUE and sets @out when @text is a valid date.
 */
gboolean
clmrs_date_parse (const char *text,
                  GDate      *out)
{
  guint y, m, d;
  char tail;

  g_date_clear (out, 1);
  if (text == NULL || strlen (text) < 10)
    return FALSE;
  if (sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) < 3)
    return FALSE;
  if (text[4] != '-' || text[7] != '-' || (text[10] != '\0' && text[10] != 'T' && text[10] != ' '))
    return FALSE;
  if (!g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

/* Returns: (transfer full): @date as YYYY-MM-DD. */
char *
clmrs_date_format (const GDate *date)
{
  g_return_val_if_fail (g_date_valid (date), NULL);

  return g_strdup_printf ("%04u-%02u-%02u",
                          g_date_get_year (date),
                          g_date_get_month (date),
                          g_date_get_day (date));
}

/* Today's date in UTC, or the date in CLMRS_TODAY (YYYY-MM-DD) when set,
 * so tests and demos are reproducible. */
void
clmrs_date_today (GDate *out)
{
  const char *fixed = g_getenv ("CLMRS_TODAY");
  g_autoptr(GDateTime) now = NULL;

  if (fixed != NULL && clmrs_date_parse (fixed, out))
    return;
  now = g_date_time_new_now_utc ();
  g_date_clear (out, 1);
  g_date_set_dmy (out,
                  g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

/* Adds @months, clamping the day to the end of a shorter month
 * (31 August + 6 months = 28 or 29 February). */
void
clmrs_date_add_months (GDate *date,
                       guint  months)
{
  g_date_add_months (date, months);
}

/* Completed years between @birth and @on; -1 if @on is before @birth. */
int
clmrs_age_on (const GDate *birth,
              const GDate *on)
{
  int years;

  if (g_date_compare (on, birth) < 0)
    return -1;
  years = g_date_get_year (on) - g_date_get_year (birth);
  if (g_date_get_month (on) < g_date_get_month (birth) ||
      (g_date_get_month (on) == g_date_get_month (birth) &&
       g_date_get_day (on) < g_date_get_day (birth)))
    years--;
  return years;
}

/**
 * clmrs_csv_append_cell:
 * @out: the row being written
 * @text: (nullable): the cell's text; %NULL writes an empty cell
 * @is_number: @text is a number (a JSON or SQL number), not free text
 *
 * Appends one CSV cell (RFC 4180: quoted when it holds a comma, a quote,
 * CR or LF, quotes doubled), without the separator.
 *
 * Text that a spreadsheet would read as a formula (starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP
 * advises against CSV injection: a name typed on a device as
 * `=HYPERLINK(...)` must not run when M&E staff open the export.  A
 * number stays as it is, so `-3` is still a number in the spreadsheet.
 */
void
clmrs_csv_append_cell (GString    *out,
                       const char *text,
                       gboolean    is_number)
{
  gboolean neutralise;

  g_return_if_fail (out != NULL);

  if (text == NULL)
    return;
  neutralise = !is_number && text[0] != '\0' && strchr ("=+-@\t\r", text[0]) != NULL;
  if (!neutralise && strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  if (neutralise)
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/**
 * clmrs_fold_for_search:
 *
 * Folds @text so that what a facilitator types on a keyboard without
 * accents finds the name as written: decomposed (NFD), its combining
 * marks dropped, then case-folded.  The same function folds the stored
 * names and the typed pattern, so the two always agree.
 *
 * Returns: (transfer full): the folded text; "" for %NULL.
 */
char *
clmrs_fold_for_search (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  g_autofree char *decomposed = g_utf8_normalize (valid, -1, G_NORMALIZE_NFD);
  g_autoptr(GString) bare = g_string_sized_new (strlen (decomposed));

  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_type (c) != G_UNICODE_NON_SPACING_MARK)
        g_string_append_unichar (bare, c);
    }
  return g_utf8_casefold (bare->str, bare->len);
}
