/* screenshot.c: signs in and shows one page of clmrs-field, then runs `import` for docs/screenshots. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "clmrs-application.h"
#include "clmrs-home-page.h"
#include "clmrs-signin-page.h"
#include "clmrs-supervisor-page.h"
#include "clmrs-visit-wizard.h"
#include "clmrs-window.h"

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *ref)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (g_object_get_data (G_OBJECT (child), "ref"), ref) == 0)
        return child;
      if ((found = find_button (child, ref)) != NULL)
        return found;
    }
  return NULL;
}

/* screenshot DB PERSON_ID PIN PAGE OUT.png
 * PAGE: enrol, signin, pin, households, follow-ups, messages, sync, indicators, supervisor, visit,
 * preferences */
int
main (int   argc,
      char *argv[])
{
  g_autoptr(ClmrsApplication) app = NULL;
  g_autofree char *typed = NULL;
  ClmrsWindow *window;
  const char *page;
  char *import_argv[] = { "import", "-window", "root", NULL, NULL };

  if (argc != 6)
    {
      g_printerr ("usage: screenshot DB PERSON_ID PIN PAGE OUT.png\n");
      return 2;
    }
  page = argv[4];
  /* LANGUAGE=fr CLMRS_LOCALEDIR=build/po: screenshots in French */
  setlocale (LC_ALL, "");
  if (g_getenv ("CLMRS_LOCALEDIR") != NULL)
    bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CLMRS_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gtk_init ();
  {
    /* past the first-run enrolment screen unless it is the one to show */
    g_autoptr(GSettings) settings = g_settings_new ("org.clmrs.Field");

    g_settings_set_boolean (settings, "work-offline", !g_str_equal (page, "enrol"));
  }
  app = clmrs_application_new (G_APPLICATION_NON_UNIQUE);
  clmrs_application_set_db_path (app, argv[1]);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  window = clmrs_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  /* a big database takes longer to open */
  spin (g_getenv ("CLMRS_SCREENSHOT_WAIT_MS") ? atoi (g_getenv ("CLMRS_SCREENSHOT_WAIT_MS")) : 1500);

  if (!g_str_equal (page, "signin") && !g_str_equal (page, "enrol"))
    {
      ClmrsSigninPage *signin = CLMRS_SIGNIN_PAGE (clmrs_window_get_page (window, "signin"));

      clmrs_signin_page_select (signin, argv[2]);
      typed = g_strconcat (argv[3], g_str_equal (page, "pin") ? "" : "\n", NULL);
      clmrs_signin_page_type (signin, typed);
      spin (g_getenv ("CLMRS_SCREENSHOT_WAIT_MS") ? atoi (g_getenv ("CLMRS_SCREENSHOT_WAIT_MS")) : 2500);
    }
  if (g_str_has_prefix (page, "wizard"))
    {
      ClmrsVisitWizard *wizard = CLMRS_VISIT_WIZARD (clmrs_window_get_page (window, "visit"));

      const char *form = g_getenv ("CLMRS_FORM");
      gboolean added = FALSE;

      clmrs_window_start_visit (window, form ? form : "household_visit", NULL);
      spin (1000);
      /* wizard-N: answer and move on N screens with the first choice or a plausible value */
      for (int n = atoi (page + strlen ("wizard") + (page[6] == '-')); n > 0; n--)
        {
          g_auto(GStrv) refs = clmrs_visit_wizard_get_screen_refs (wizard);

          for (guint i = 0; refs[i]; i++)
            if (g_str_has_suffix (refs[i], "visit_date"))
              clmrs_visit_wizard_answer (wizard, refs[i], "2026-11-20");
            else if (g_str_has_suffix (refs[i], "head_name"))
              clmrs_visit_wizard_answer (wizard, refs[i], "Kouassi Yao");
            else if (g_str_has_suffix (refs[i], "head_sex"))
              clmrs_visit_wizard_answer (wizard, refs[i], "male");
            else if (g_str_has_suffix (refs[i], "consent"))
              clmrs_visit_wizard_answer (wizard, refs[i], "yes");
            else if (g_str_has_suffix (refs[i], "identity/name"))
              clmrs_visit_wizard_answer (wizard, refs[i], "Ama Yao");
            else if (g_str_has_suffix (refs[i], "identity/sex"))
              clmrs_visit_wizard_answer (wizard, refs[i], "female");
            else if (g_str_has_suffix (refs[i], "identity/age"))
              clmrs_visit_wizard_answer (wizard, refs[i], "3");
          if (refs[0] != NULL && g_str_equal (refs[0], "/mini/children/child") && !added)
            {
              /* add one child, as a tap on the button does */
              GtkWidget *add = find_button (GTK_WIDGET (wizard), refs[0]);

              if (add != NULL)
                g_signal_emit_by_name (add, "clicked");
              added = TRUE;
              spin (300);
              continue;
            }
          clmrs_visit_wizard_next (wizard);
          spin (300);
        }
    }
  else if (g_str_equal (page, "visit"))
    clmrs_supervisor_page_open_visit (CLMRS_SUPERVISOR_PAGE (clmrs_window_get_page (window, "supervisor")), 0);
  else if (g_str_equal (page, "preferences"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  else if (!g_str_equal (page, "signin") && !g_str_equal (page, "pin") && !g_str_equal (page, "supervisor") &&
           !g_str_equal (page, "enrol"))
    clmrs_home_page_set_tab (CLMRS_HOME_PAGE (clmrs_window_get_page (window, "home")), page);
  spin (1500);

  import_argv[3] = argv[5];
  g_spawn_sync (NULL, import_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (200);
  return 0;
}
