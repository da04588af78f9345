/* clmrs-preferences.h: the preferences window: server, language, follow-up interval, automatic sync. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CLMRS_TYPE_PREFERENCES (clmrs_preferences_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsPreferences, clmrs_preferences, CLMRS, PREFERENCES, AdwPreferencesWindow)

/* Over @parent; the follow-up interval is editable only when a supervisor
 * is signed in there. */
GtkWidget *clmrs_preferences_new                   (GtkWindow        *parent);

G_END_DECLS
