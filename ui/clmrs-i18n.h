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

G_END_DECLS
