/* assets.h: forms and rule sets embedded in the core library. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CLMRS_ASSETS_PREFIX "/org/clmrs/assets"

GBytes  *clmrs_assets_lookup (const char  *relative_path,
                              GError     **error);
GStrv    clmrs_assets_list   (const char  *folder);

G_END_DECLS
