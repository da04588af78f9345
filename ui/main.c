/* main.c: clmrs-field, the CLMRS app for community facilitators and supervisors. */
#define G_LOG_DOMAIN "clmrs-field"

#include "config.h"

#include <glib/gi18n.h>
#include <sys/prctl.h>

#include "clmrs-application.h"
#include "clmrs-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ClmrsApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *language = NULL;
  GSettingsSchema *schema;

  /* no core dump may write the data key, or decrypted pages, to disk */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);

  /* the language chosen in the settings wins over the system's */
  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (), "org.clmrs.Field", TRUE);
  if (schema != NULL)
    {
      settings = g_settings_new ("org.clmrs.Field");
      language = g_settings_get_string (settings, "language");
      g_settings_schema_unref (schema);
    }
  else
    {
      g_printerr ("clmrs-field: the settings schema org.clmrs.Field is not installed "
                  "(set GSETTINGS_SCHEMA_DIR to the build's ui/ folder)\n");
      return 1;
    }

  /* CLMRS_LOCALEDIR: the build tree's translations (run.sh); the
     application follows later changes of the setting */
  clmrs_i18n_init (g_getenv ("CLMRS_LOCALEDIR") ? g_getenv ("CLMRS_LOCALEDIR") : LOCALEDIR, language);

  app = clmrs_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
