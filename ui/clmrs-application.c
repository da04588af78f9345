/* clmrs-application.c: the clmrs-field application: options, settings, the database worker. */
#define G_LOG_DOMAIN "clmrs-application"

#include "config.h"

#include "clmrs-application.h"

#include <glib/gi18n.h>

#include "clmrs-field-resources.h"
#include "clmrs-high-contrast.h"
#include "clmrs-i18n.h"
#include "clmrs-preferences.h"
#include "clmrs-window.h"

struct _ClmrsApplication
{
  AdwApplication  parent_instance;

  /* Owned references */
  GSettings      *settings;
  char           *db_path;
  gboolean        demo;
  guint           demo_households;
  guint           rebuild_source;
};

/* on a window built in a language no longer chosen: its "page-name" handler */
#define STALE_KEY "clmrs-language-stale"

G_DEFINE_FINAL_TYPE (ClmrsApplication, clmrs_application, ADW_TYPE_APPLICATION)

/* Registers the resource the linker might otherwise drop (STYLE trap 2). */
void
clmrs_ui_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      clmrs_field_register_resource ();
      g_once_init_leave (&done, 1);
    }
}

ClmrsApplication *
clmrs_application_new (GApplicationFlags flags)
{
  clmrs_ui_init ();
  return g_object_new (CLMRS_TYPE_APPLICATION,
                       "application-id", "org.clmrs.Field",
                       "resource-base-path", "/org/clmrs/Field",
                       "flags", flags | G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}

const char *
clmrs_application_get_db_path (ClmrsApplication *self)
{
  g_return_val_if_fail (CLMRS_IS_APPLICATION (self), NULL);

  return self->db_path;
}

void
clmrs_application_set_db_path (ClmrsApplication *self,
                               const char       *path)
{
  g_return_if_fail (CLMRS_IS_APPLICATION (self));
  g_return_if_fail (path != NULL);

  g_free (self->db_path);
  self->db_path = g_strdup (path);
}

void
clmrs_application_set_demo (ClmrsApplication *self,
                            gboolean          demo)
{
  g_return_if_fail (CLMRS_IS_APPLICATION (self));

  self->demo = !!demo;
}

gboolean
clmrs_application_get_demo (ClmrsApplication *self)
{
  g_return_val_if_fail (CLMRS_IS_APPLICATION (self), FALSE);

  return self->demo;
}

void
clmrs_application_set_demo_households (ClmrsApplication *self,
                                       guint             households)
{
  g_return_if_fail (CLMRS_IS_APPLICATION (self));

  self->demo_households = households;
}

guint
clmrs_application_get_demo_households (ClmrsApplication *self)
{
  g_return_val_if_fail (CLMRS_IS_APPLICATION (self), 0);

  return self->demo_households;
}

GSettings *
clmrs_application_get_settings (ClmrsApplication *self)
{
  g_return_val_if_fail (CLMRS_IS_APPLICATION (self), NULL);

  return self->settings;
}

/* Builds @old again in the language now chosen; the preferences window
 * open over it reappears over the new one, saying so. */
static void
rebuild_window (ClmrsApplication *self,
                ClmrsWindow      *old)
{
  GList *toplevels = gtk_window_list_toplevels ();
  gboolean had_preferences = FALSE;
  ClmrsWindow *window;

  g_signal_handler_disconnect (old, GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (old), STALE_KEY)));
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CLMRS_IS_PREFERENCES (l->data) && gtk_window_get_transient_for (l->data) == GTK_WINDOW (old))
      {
        had_preferences = TRUE;
        gtk_window_destroy (l->data);
      }
  g_list_free (toplevels);

  window = clmrs_window_new_replacing (old);
  gtk_window_present (GTK_WINDOW (window));
  gtk_window_destroy (GTK_WINDOW (old));
  if (had_preferences)
    {
      GtkWidget *preferences = clmrs_preferences_new (GTK_WINDOW (window));

      gtk_window_present (GTK_WINDOW (preferences));
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (preferences),
                                        adw_toast_new (_("Language changed")));
    }
}

static gboolean
rebuild_windows_cb (gpointer user_data)
{
  ClmrsApplication *self = user_data;
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_object_unref);

  self->rebuild_source = 0;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CLMRS_IS_WINDOW (l->data) && g_object_get_data (l->data, STALE_KEY) != NULL)
      g_ptr_array_add (stale, g_object_ref (l->data));
  /* the others (a visit open, …) when they are back on a main page */
  for (guint i = 0; i < stale->len; i++)
    if (clmrs_window_can_rebuild (g_ptr_array_index (stale, i)))
      rebuild_window (self, g_ptr_array_index (stale, i));
  return G_SOURCE_REMOVE;
}

static void
schedule_rebuild (ClmrsApplication *self)
{
  /* from an idle: the change comes from inside the preferences window,
     which is destroyed; at the default priority, not the idle one, which
     waits behind every frame drawn (seconds on a loaded device while a
     spinner turns) */
  if (self->rebuild_source == 0)
    self->rebuild_source = g_idle_add_full (G_PRIORITY_DEFAULT, rebuild_windows_cb, self, NULL);
}

static void
language_changed_cb (ClmrsApplication *self)
{
  g_autofree char *language = g_settings_get_string (self->settings, "language");

  clmrs_i18n_set_language (language);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CLMRS_IS_WINDOW (l->data) && g_object_get_data (l->data, STALE_KEY) == NULL)
      {
        gulong handler = g_signal_connect_object (l->data, "notify::page-name", G_CALLBACK (schedule_rebuild),
                                                  self, G_CONNECT_SWAPPED);

        g_object_set_data (l->data, STALE_KEY, GSIZE_TO_POINTER (handler));
      }
  schedule_rebuild (self);
}

/* The outdoor mode: chosen in the preferences, or the system's
 * high-contrast setting; at once, on every window. */
static void
high_contrast_changed_cb (ClmrsApplication *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GdkDisplay *display = gdk_display_get_default ();

  if (display == NULL)
    return;
  clmrs_high_contrast_set_active (display,
                                  g_settings_get_boolean (self->settings, "high-contrast") ||
                                  adw_style_manager_get_high_contrast (style));
}

static void
clmrs_application_activate (GApplication *app)
{
  ClmrsApplication *self = (ClmrsApplication *) app;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (clmrs_window_new (self));
  gtk_window_present (window);
}

static int
clmrs_application_command_line (GApplication            *app,
                                GApplicationCommandLine *command_line)
{
  ClmrsApplication *self = (ClmrsApplication *) app;
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *db = NULL;
  gboolean demo = FALSE;

  if (g_variant_dict_lookup (options, "demo", "b", &demo) && demo)
    {
      self->demo = TRUE;
      /* never the device's own database ($CLMRS_DB): the demo has its own */
      g_free (self->db_path);
      self->db_path = g_build_filename (g_get_user_data_dir (), "clmrs", "demo.db", NULL);
    }
  if (g_variant_dict_lookup (options, "db", "^&ay", &db) && db != NULL && *db != '\0')
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, db);

      g_free (self->db_path);
      self->db_path = g_file_get_path (file);
    }
  g_application_activate (app);
  return 0;
}

static void
show_preferences (GApplication *app)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (clmrs_preferences_new (parent)));
}

static void
show_about (GApplication *app)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkWidget *about = adw_about_window_new ();

  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), "org.clmrs.Field");
  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), _("Child Labour Monitoring"));
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PACKAGE_VERSION);
  adw_about_window_set_comments (ADW_ABOUT_WINDOW (about),
                                 _("Household visits, follow-ups and remediation of child labour, offline"));
  adw_about_window_set_developer_name (ADW_ABOUT_WINDOW (about), _("CLMRS project"));
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  gtk_window_present (GTK_WINDOW (about));
}

static void
clmrs_application_startup (GApplication *app)
{
  ClmrsApplication *self = (ClmrsApplication *) app;
  static const char *quit_accels[] = { "<Control>q", NULL };
  g_autoptr(GSimpleAction) quit = g_simple_action_new ("quit", NULL);
  g_autoptr(GSimpleAction) preferences = g_simple_action_new ("preferences", NULL);
  g_autoptr(GSimpleAction) about = g_simple_action_new ("about", NULL);

  G_APPLICATION_CLASS (clmrs_application_parent_class)->startup (app);

  /* sunlight: the high-contrast variant of the light style reads best */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);

  g_signal_connect_swapped (quit, "activate", G_CALLBACK (g_application_quit), app);
  g_signal_connect_swapped (preferences, "activate", G_CALLBACK (show_preferences), app);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (preferences));
  g_signal_connect_swapped (about, "activate", G_CALLBACK (show_about), app);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (about));
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (quit));
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  /* the app's own text follows the language at once (main.c applied it at start) */
  g_signal_connect_object (self->settings, "changed::language", G_CALLBACK (language_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::high-contrast", G_CALLBACK (high_contrast_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::high-contrast",
                           G_CALLBACK (high_contrast_changed_cb), self, G_CONNECT_SWAPPED);
  high_contrast_changed_cb (self);
}

static void
clmrs_application_dispose (GObject *object)
{
  ClmrsApplication *self = (ClmrsApplication *) object;

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (clmrs_application_parent_class)->dispose (object);
}

static void
clmrs_application_finalize (GObject *object)
{
  ClmrsApplication *self = (ClmrsApplication *) object;

  g_free (self->db_path);

  G_OBJECT_CLASS (clmrs_application_parent_class)->finalize (object);
}

static void
clmrs_application_class_init (ClmrsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = clmrs_application_dispose;
  object_class->finalize = clmrs_application_finalize;
  app_class->activate = clmrs_application_activate;
  app_class->startup = clmrs_application_startup;
  app_class->command_line = clmrs_application_command_line;
}

static void
clmrs_application_init (ClmrsApplication *self)
{
  static const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The device database, made empty when new (default: $CLMRS_DB, else device.db in the user data folder)"),
      N_("PATH") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Open demo data: the demo database (or the one of --db), filled with made-up households when new"),
      NULL },
    { NULL }
  };
  const char *env = g_getenv ("CLMRS_DB");

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  self->settings = g_settings_new ("org.clmrs.Field");
  self->demo_households = 300;
  /* the device's own database: a first run starts it empty, with enrolment */
  if (env != NULL && *env != '\0')
    self->db_path = g_strdup (env);
  else
    self->db_path = g_build_filename (g_get_user_data_dir (), "clmrs", "device.db", NULL);
}
