/* clmrs-visit-screens.c: how a form's prompts make the wizard's screens, for the wizard and its review. */
#define G_LOG_DOMAIN "clmrs-visit-wizard"

#include "config.h"

#include "clmrs-visit-screens-private.h"

#include <glib/gi18n.h>

static gboolean
same_screen (const ClmrsPrompt *a,
             const ClmrsPrompt *b)
{
  return a->kind == CLMRS_PROMPT_QUESTION && b->kind == CLMRS_PROMPT_QUESTION &&
         a->screen != NULL && g_strcmp0 (a->screen, b->screen) == 0;
}

GArray *
_clmrs_screen_starts (GPtrArray *prompts)
{
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < prompts->len; i++)
    if (i == 0 || !same_screen (g_ptr_array_index (prompts, i - 1), g_ptr_array_index (prompts, i)))
      g_array_append_val (starts, i);
  return starts;
}

guint
_clmrs_screen_end (GArray    *starts,
                   GPtrArray *prompts,
                   guint      screen)
{
  return screen + 1 < starts->len ? g_array_index (starts, guint, screen + 1) : prompts->len;
}

int
_clmrs_find_screen (GPtrArray  *prompts,
                    GArray     *starts,
                    const char *ref)
{
  for (guint s = 0; ref != NULL && s < starts->len; s++)
    for (guint i = g_array_index (starts, guint, s); i < _clmrs_screen_end (starts, prompts, s); i++)
      if (g_strcmp0 (((ClmrsPrompt *) g_ptr_array_index (prompts, i))->ref, ref) == 0)
        return s;
  return -1;
}

/* The name once it is given, so that a facilitator with three children to
 * ask about knows which one the questions are about. */
char *
_clmrs_place_of (const ClmrsPrompt *prompt)
{
  g_autofree char *instance = NULL;

  if (prompt->repeat_label != NULL && prompt->repeat_position > 0)
    /* Translators: which repeat instance a screen is about, "Child 2 of 3" */
    instance = g_strdup_printf (_("%s %u of %u"), prompt->repeat_label,
                                prompt->repeat_position, prompt->repeat_total);
  if (instance != NULL && prompt->repeat_name != NULL)
    {
      g_autofree char *counted = g_steal_pointer (&instance);

      instance = g_strdup_printf (_("%s · %s"), counted, prompt->repeat_name);
    }
  if (instance != NULL && prompt->section != NULL)
    /* Translators: a repeat instance and its section, "Child 2 of 3 · School" */
    return g_strdup_printf (_("%s · %s"), instance, prompt->section);
  if (instance != NULL)
    return g_steal_pointer (&instance);
  return g_strdup (prompt->section ? prompt->section : "");
}
