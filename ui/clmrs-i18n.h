/* clmrs-i18n.h: the language of the app's text (gettext), chosen at start and changed while it runs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets up gettext for the process: the locale from the environment, the
 * app's domain bound to @localedir, and @language ("" = the system's).
 * Call once, before GTK starts and before any other thread. */
void clmrs_i18n_init         (const char *localedir,
                              const char *language);
/* Every string translated from now on (the app's, GTK's, libadwaita's)
 * is in @language ("en", "fr"; "" = the system's again); widgets already
 * built keep their text.  Call from the main thread. */
void clmrs_i18n_set_language (const char *language);

/* Dates and numbers in the language of the app's text, whatever locales
 * the system has (a handheld often has only C.UTF-8): month names and the
 * decimal separator come from the app's own translations. */

/* "Jan" .. "Dec" ("janv." .. "déc." in French) for @month 1..12. */
const char *clmrs_i18n_month_abbreviation (int         month);
/* "6 Dec 2026" / "6 déc. 2026" for a day "2026-12-06" (or the date part
 * of an RFC 3339 time); @text itself when it is no date, "" for NULL. */
char       *clmrs_i18n_format_day         (const char *text);
/* "6 Dec 2026, 14:05" for a time, in the device's time zone. */
char       *clmrs_i18n_format_day_time    (GDateTime  *time);
/* g_format_size() with the language's decimal separator ("7,6 Mo"). */
char       *clmrs_i18n_format_size        (guint64     bytes);

G_END_DECLS
