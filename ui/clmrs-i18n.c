/* clmrs-i18n.c: the language of the app's text (gettext), chosen at start and changed while it runs. */
#define G_LOG_DOMAIN "clmrs-i18n"

#include "config.h"

#include "clmrs-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>

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
