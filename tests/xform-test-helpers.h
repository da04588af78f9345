/* xform-test-helpers.h: what the forms engine's test programs share (a form's header, prompts, answers, the CLI). */
#pragma once

#include "xform.h"

#include <string.h>
#include <sys/wait.h>

#define HEAD \
  "<?xml version=\"1.0\"?>\n" \
  "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\"\n" \
  "        xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\"\n" \
  "        xmlns:odk=\"http://www.opendatakit.org/xforms\" xmlns:clmrs=\"urn:clmrs:xforms:1\">\n"

static inline ClmrsPrompt *
find_prompt (GPtrArray  *prompts,
             const char *ref)
{
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *prompt = prompts->pdata[i];
      if (g_str_equal (prompt->ref, ref))
        return prompt;
    }
  return NULL;
}

static inline void
assert_answer (ClmrsFormSession *session,
               const char       *ref,
               const char       *expected)
{
  g_autofree char *value = clmrs_form_session_get_answer (session, ref);
  g_assert_cmpstr (value, ==, expected);
}

/* Runs $CLMRS_CLI with @args; returns its exit status. */
static inline int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (char *) g_getenv ("CLMRS_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_nonnull (argv->pdata[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}
