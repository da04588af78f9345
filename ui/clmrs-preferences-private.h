/* clmrs-preferences-private.h: the preferences' state, for tests. */
#pragma once

#include "clmrs-preferences.h"

G_BEGIN_DECLS

gboolean   clmrs_preferences_get_interval_editable (ClmrsPreferences *self);

G_END_DECLS
