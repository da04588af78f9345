/* clmrs-high-contrast.h: the outdoor high-contrast mode, display-wide. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Turns the outdoor high-contrast style on or off for @display: every
 * window on it, and the ones built later (a language switch rebuilds
 * them), take it at once. */
void     clmrs_high_contrast_set_active (GdkDisplay *display,
                                         gboolean    active);

/* Whether the mode is on for @display. */
gboolean clmrs_high_contrast_get_active (GdkDisplay *display);

G_END_DECLS
