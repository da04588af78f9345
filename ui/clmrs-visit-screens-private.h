/* clmrs-visit-screens-private.h: how a form's prompts make the wizard's screens, for the wizard and its review. */
#pragma once

#include <glib.h>

#include "xform.h"

G_BEGIN_DECLS

/* Indices into @prompts (of ClmrsPrompt) where each screen starts: a
 * screen is one prompt, or the questions of one field-list group. */
GArray *_clmrs_screen_starts (GPtrArray  *prompts);
/* The index after the last prompt of @screen. */
guint   _clmrs_screen_end    (GArray     *starts,
                              GPtrArray  *prompts,
                              guint       screen);
/* The screen holding the prompt @ref, or -1. */
int     _clmrs_find_screen   (GPtrArray  *prompts,
                              GArray     *starts,
                              const char *ref);
/* Where @prompt is, for a screen's heading: "Child 2 of 3 · Ama ·
 * School", "Household"; "" when nothing says. */
char   *_clmrs_place_of      (const ClmrsPrompt *prompt);

G_END_DECLS
