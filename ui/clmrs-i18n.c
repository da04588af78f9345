/* clmrs-i18n.c: the language of the app's text (gettext), chosen at start and changed while it runs. */
#define G_LOG_DOMAIN "clmrs-i18n"

#include "config.h"

#include "clmrs-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "util.h"

/* What the environment said at start, for "as the system" */
static char *system_language;      /* $LANGUAGE, or NULL */
static char *system_messages;      /* the LC_MESSAGES locale setlocale() chose */

void
clmrs_i18n_set_language (const char *language)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  g_return_if_fail (language != NULL);
  g_return_if_fail (system_messages != NULL);

  if (*language != '\0')
    {
      /* glibc ignores LANGUAGE in the "C" locale (POSIX output): C.UTF-8,
         built into glibc since 2.35, reads it and is "C" otherwise */
      if (g_strcmp0 (messages, "C") == 0 || g_strcmp0 (messages, "POSIX") == 0)
        setlocale (LC_MESSAGES, "C.UTF-8");
      /* setenv is not thread-safe in theory; glibc never frees an old
         environment, so a worker reading $http_proxy at this moment still
         reads a valid string */
      g_setenv ("LANGUAGE", language, TRUE);
    }
  else
    {
      if (g_strcmp0 (messages, system_messages) != 0)
        setlocale (LC_MESSAGES, system_messages);
      if (system_language != NULL)
        g_setenv ("LANGUAGE", system_language, TRUE);
      else
        g_unsetenv ("LANGUAGE");
    }
  /* glibc keeps the translations it found until the catalogues change:
     textdomain() (like setlocale()) marks them stale, even for the same domain */
  textdomain (textdomain (NULL));
}

void
clmrs_i18n_init (const char *localedir,
                 const char *language)
{
  g_return_if_fail (localedir != NULL);
  g_return_if_fail (language != NULL);
  g_return_if_fail (system_messages == NULL);

  system_language = g_strdup (g_getenv ("LANGUAGE"));
  setlocale (LC_ALL, "");
  system_messages = g_strdup (setlocale (LC_MESSAGES, NULL));
  /* GLib decides once, at the first g_dgettext(), whether libraries'
     strings are translated at all: not when the app's domain has no
     catalogue for the locale of that moment (an app started in English
     under C.UTF-8) unless textdomain() was not called yet.  Decide now,
     so GTK and libadwaita follow a later switch to French. */
  (void) g_dgettext (GETTEXT_PACKAGE, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  clmrs_i18n_set_language (language);
}

const char *
clmrs_i18n_month_abbreviation (int month)
{
  static const char *const months[] = {
    NC_("month", "Jan"), NC_("month", "Feb"), NC_("month", "Mar"), NC_("month", "Apr"),
    NC_("month", "May"), NC_("month", "Jun"), NC_("month", "Jul"), NC_("month", "Aug"),
    NC_("month", "Sep"), NC_("month", "Oct"), NC_("month", "Nov"), NC_("month", "Dec"),
  };

  g_return_val_if_fail (month >= 1 && month <= 12, "");
  return g_dpgettext2 (GETTEXT_PACKAGE, "month", months[month - 1]);
}

char *
clmrs_i18n_format_day (const char *text)
{
  g_autofree char *day = NULL;
  GDate date;

  if (text == NULL)
    return g_strdup ("");
  day = g_strndup (text, 10);
  if (!clmrs_date_parse (day, &date))
    return g_strdup (text);
  /* Translators: a day: DAY MONTH YEAR, e.g. "6 Dec 2026" */
  return g_strdup_printf (C_("day", "%d %s %d"), g_date_get_day (&date),
                          clmrs_i18n_month_abbreviation (g_date_get_month (&date)), g_date_get_year (&date));
}

char *
clmrs_i18n_format_day_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (time != NULL, NULL);
  local = g_date_time_to_local (time);
  /* Translators: a day and a time of day: "6 Dec 2026, 14:05" */
  return g_strdup_printf (C_("time", "%d %s %d, %02d:%02d"), g_date_time_get_day_of_month (local),
                          clmrs_i18n_month_abbreviation (g_date_time_get_month (local)),
                          g_date_time_get_year (local), g_date_time_get_hour (local),
                          g_date_time_get_minute (local));
}

char *
clmrs_i18n_format_size (guint64 bytes)
{
  char *size = g_format_size (bytes);
  /* Translators: the decimal separator of numbers ("7.6 MB" in English, "7,6 Mo" in French) */
  const char *separator = C_("number", ".");
  char *point;

  /* g_format_size() writes the C locale's point when the system has no
   * locale for the language; the unit it translates itself */
  if (strlen (separator) == 1 && (point = strpbrk (size, ".,")) != NULL)
    *point = separator[0];
  return size;
}
