/* screenshot.c: signs in and shows one page of clmrs-field, then runs `import` for docs/screenshots. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "clmrs-application.h"
#include "clmrs-home-page-private.h"
#include "clmrs-i18n.h"
#include "clmrs-preferences-private.h"
#include "clmrs-signin-page.h"
#include "clmrs-supervisor-page-private.h"
#include "clmrs-visit-wizard-private.h"
#include "clmrs-window.h"
#include "household-answers.h"
#include "widget-find.h"

static gboolean
spin_done_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds (rendering settles). */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, spin_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* CLMRS_SCREENSHOT_WIDTHS=1: prints every widget whose minimum width is
 * over @limit, indented by depth, to find what makes a page wider than
 * the window. */
static void
print_wide (GtkWidget *widget,
            int        limit,
            guint      depth)
{
  int min = 0;

  if (!gtk_widget_get_visible (widget))
    return;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (min <= limit)
    return;
  g_print ("%*s%s %s %d\n", (int) depth * 2, "", G_OBJECT_TYPE_NAME (widget),
           GTK_IS_LABEL (widget) ? gtk_label_get_label (GTK_LABEL (widget))
           : GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) ? gtk_button_get_label (GTK_BUTTON (widget))
           : "", min);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    print_wide (child, limit, depth + 1);
}

/* Walks the shipped household form with two children up to @stop_leaf
 * (shown, not answered), or to the review. */
static void
walk_household (ClmrsVisitWizard *wizard,
                const char       *stop_leaf)
{
  guint added = 0;

  for (guint step = 0; step < 120; step++)
    {
      g_auto(GStrv) refs = clmrs_visit_wizard_get_screen_refs (wizard);
      GtkWidget *add;

      if (g_strcmp0 (clmrs_visit_wizard_get_state (wizard), "question") != 0 || refs[0] == NULL)
        return;
      if (stop_leaf != NULL && g_str_has_suffix (refs[0], stop_leaf))
        return;
      add = find_button (GTK_WIDGET (wizard), refs[0]);
      if (add != NULL && added < 2)
        {
          added++;
          g_signal_emit_by_name (add, "clicked");
          spin (100);
          continue;
        }
      for (guint i = 0; refs[i]; i++)
        {
          const char *open = strrchr (refs[i], '[');
          const char *value = household_answer_for (strrchr (refs[i], '/') + 1, open ? atoi (open + 1) : 0);

          if (value != NULL)
            clmrs_visit_wizard_answer (wizard, refs[i], value);
        }
      spin (100);
      clmrs_visit_wizard_next (wizard);
      spin (100);
    }
}

/* screenshot DB PERSON_ID PIN PAGE OUT.png
 * PAGE: enrol, signin, pin, households, follow-ups, messages, sync, indicators, supervisor, visit,
 * preferences, wizard-N, in-school (a screen that grows), review (a household with two children, before
 * Finish), result (the same household finished),
 * support (recording a support from the result), follow-up (tapping the first child due),
 * awareness, draft (home offering an unfinished visit), record (the newest message's visit),
 * household (the household of the first child due: children, cases, visits),
 * language (French chosen in the preferences: the app built again in French),
 * connect (the enrolment from the Sync tab, signed in)
 * CLMRS_SCREENSHOT_ROW=N opens message N (from 0) for record.
 * CLMRS_SCREENSHOT_WIDTHS=N prints the widgets whose minimum width is over N pixels. */
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
  clmrs_i18n_init (g_getenv ("CLMRS_LOCALEDIR") ? g_getenv ("CLMRS_LOCALEDIR") : LOCALEDIR, "");
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
      /* the PIN is checked with Argon2id and the database opened on the
         worker: wait for the sign-in page to go (30 s at most), then let
         the page settle */
      if (!g_str_equal (page, "pin"))
        {
          gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

          while (g_strcmp0 (clmrs_window_get_page_name (window), "signin") == 0 && g_get_monotonic_time () < end)
            spin (100);
        }
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
  else if (g_str_equal (page, "in-school") || g_str_equal (page, "result") || g_str_equal (page, "support") ||
           g_str_equal (page, "review"))
    {
      ClmrsVisitWizard *wizard = CLMRS_VISIT_WIZARD (clmrs_window_get_page (window, "visit"));

      clmrs_window_start_visit (window, "household_visit", NULL);
      spin (1000);
      if (g_str_equal (page, "in-school"))
        {
          walk_household (wizard, "school/in_school");
          {
            g_auto(GStrv) refs = clmrs_visit_wizard_get_screen_refs (wizard);
            clmrs_visit_wizard_answer (wizard, refs[0], "yes");
          }
        }
      else if (g_str_equal (page, "review"))
        walk_household (wizard, NULL);
      else
        {
          walk_household (wizard, NULL);
          clmrs_visit_wizard_next (wizard);
          spin (2000);
        }
      if (g_str_equal (page, "support"))
        {
          GtkWidget *root = GTK_WIDGET (wizard);
          GtkWidget *given = NULL;
          g_autofree char *text = clmrs_visit_wizard_get_result_text (wizard);

          /* the first "Given now" button */
          for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL && given == NULL;)
            {
              if (GTK_IS_BUTTON (w) && g_object_get_data (G_OBJECT (w), "child-id") != NULL)
                given = w;
              else if (gtk_widget_get_first_child (w) != NULL)
                w = gtk_widget_get_first_child (w);
              else
                {
                  while (w != NULL && w != root && gtk_widget_get_next_sibling (w) == NULL)
                    w = gtk_widget_get_parent (w);
                  w = (w == NULL || w == root) ? NULL : gtk_widget_get_next_sibling (w);
                }
            }
          if (given != NULL)
            g_signal_emit_by_name (given, "clicked");
          spin (1000);
          clmrs_visit_wizard_next (wizard);
          clmrs_visit_wizard_next (wizard);
          clmrs_visit_wizard_next (wizard);
          clmrs_visit_wizard_answer (wizard, "/support_record/support/provider", "Coopérative CLMRS");
        }
    }
  else if (g_str_equal (page, "follow-up"))
    {
      ClmrsHomePage *home = CLMRS_HOME_PAGE (clmrs_window_get_page (window, "home"));
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (clmrs_home_page_get_list (home, "follow-ups"), 0);
      ClmrsVisitWizard *wizard = CLMRS_VISIT_WIZARD (clmrs_window_get_page (window, "visit"));

      if (row != NULL)
        g_signal_emit_by_name (row, "activated");
      spin (1000);
      clmrs_visit_wizard_next (wizard);
      spin (300);
      clmrs_visit_wizard_next (wizard);
      spin (300);
      clmrs_visit_wizard_answer (wizard, "/follow_up_visit/child/child_status", "present");
      clmrs_visit_wizard_next (wizard);
    }
  else if (g_str_equal (page, "awareness"))
    {
      ClmrsVisitWizard *wizard = CLMRS_VISIT_WIZARD (clmrs_window_get_page (window, "visit"));

      clmrs_window_start_visit (window, "awareness_session", NULL);
      spin (1000);
      clmrs_visit_wizard_next (wizard);
      clmrs_visit_wizard_answer (wizard, "/awareness_session/session/level", "community");
      clmrs_visit_wizard_next (wizard);
      clmrs_visit_wizard_answer (wizard, "/awareness_session/session/topic", "season_spraying");
      clmrs_visit_wizard_next (wizard);
      clmrs_visit_wizard_answer (wizard, "/awareness_session/session/participants/men", "12");
      clmrs_visit_wizard_answer (wizard, "/awareness_session/session/participants/women", "15");
    }
  else if (g_str_equal (page, "record"))
    {
      /* the newest message (or message CLMRS_SCREENSHOT_ROW): its visit, read-only */
      ClmrsHomePage *home = CLMRS_HOME_PAGE (clmrs_window_get_page (window, "home"));
      int index = g_getenv ("CLMRS_SCREENSHOT_ROW") ? atoi (g_getenv ("CLMRS_SCREENSHOT_ROW")) : 0;
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (clmrs_home_page_get_list (home, "messages"), index);

      if (row != NULL)
        g_signal_emit_by_name (row, "activated");
    }
  else if (g_str_equal (page, "household"))
    {
      /* the household of the first child due (or CLMRS_SCREENSHOT_ROW): a case and a history */
      ClmrsHomePage *home = CLMRS_HOME_PAGE (clmrs_window_get_page (window, "home"));
      int index = g_getenv ("CLMRS_SCREENSHOT_ROW") ? atoi (g_getenv ("CLMRS_SCREENSHOT_ROW")) : 0;
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (clmrs_home_page_get_list (home, "follow-ups"), index);

      if (row != NULL)
        clmrs_window_open_household (window, g_object_get_data (G_OBJECT (row), "household-id"));
    }
  else if (g_str_equal (page, "draft"))
    clmrs_home_page_set_tab (CLMRS_HOME_PAGE (clmrs_window_get_page (window, "home")), "households");
  else if (g_str_equal (page, "visit"))
    clmrs_supervisor_page_open_visit (CLMRS_SUPERVISOR_PAGE (clmrs_window_get_page (window, "supervisor")), 0);
  else if (g_str_equal (page, "connect"))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.enrol", NULL);
  else if (g_str_equal (page, "preferences"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  else if (g_str_equal (page, "language"))
    {
      /* the preferences, French chosen: the app built again in French */
      g_autoptr(GList) toplevels = NULL;

      g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
      spin (500);
      toplevels = gtk_window_list_toplevels ();
      for (GList *l = toplevels; l != NULL; l = l->next)
        if (CLMRS_IS_PREFERENCES (l->data))
          adw_combo_row_set_selected (ADW_COMBO_ROW (find_of_type (l->data, ADW_TYPE_COMBO_ROW)), 2);
      spin (1500);
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
        if (CLMRS_IS_WINDOW (l->data))
          window = l->data;
    }
  else if (!g_str_equal (page, "signin") && !g_str_equal (page, "pin") && !g_str_equal (page, "supervisor") &&
           !g_str_equal (page, "enrol"))
    clmrs_home_page_set_tab (CLMRS_HOME_PAGE (clmrs_window_get_page (window, "home")), page);
  spin (1500);
  /* drawn again: under Xvfb a page slid in with no event after it (the
     review after the last Next) could stay painted as the one before */
  gtk_widget_queue_draw (GTK_WIDGET (window));
  spin (500);

  if (g_getenv ("CLMRS_SCREENSHOT_WIDTHS") != NULL)
    print_wide (GTK_WIDGET (window), atoi (g_getenv ("CLMRS_SCREENSHOT_WIDTHS")), 0);
  import_argv[3] = argv[5];
  g_spawn_sync (NULL, import_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (200);
  return 0;
}
