/* clmrs-preferences.c: the preferences window: server, language, high contrast, follow-up interval, automatic sync. */
#define G_LOG_DOMAIN "clmrs-preferences"

#include "config.h"

#include "clmrs-preferences.h"
#include "clmrs-window.h"

#include <glib/gi18n.h>

struct _ClmrsPreferences
{
  AdwPreferencesWindow  parent_instance;

  /* Template widgets */
  AdwEntryRow          *server_row;
  GtkSwitch            *auto_sync_switch;
  GtkSwitch            *high_contrast_switch;
  AdwComboRow          *language_row;
  AdwActionRow         *interval_row;
  GtkLabel             *interval_label;
  GtkSpinButton        *interval_spin;

  /* Owned references */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (ClmrsPreferences, clmrs_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* the combo's rows, in order */
static const char *const languages[] = { "", "en", "fr" };

static void
server_apply_cb (ClmrsPreferences *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));

  g_settings_set_string (self->settings, "server-url", url);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("The server address is saved")));
}

static void
language_selected_cb (ClmrsPreferences *self)
{
  guint selected = adw_combo_row_get_selected (self->language_row);
  g_autofree char *current = g_settings_get_string (self->settings, "language");

  if (selected >= G_N_ELEMENTS (languages) || g_str_equal (current, languages[selected]))
    return;
  /* the application builds its windows again in that language, this one too */
  g_settings_set_string (self->settings, "language", languages[selected]);
}

/* The follow-up interval is the programme's: a supervisor changes it, a
 * facilitator (or nobody signed in) sees it and who can change it. */
static void
set_interval_editable (ClmrsPreferences *self,
                       gboolean          editable)
{
  guint months = g_settings_get_uint (self->settings, "follow-up-interval-months");
  g_autofree char *text = NULL;

  g_settings_unbind (gtk_spin_button_get_adjustment (self->interval_spin), "value");
  gtk_widget_set_visible (GTK_WIDGET (self->interval_spin), editable);
  gtk_widget_set_visible (GTK_WIDGET (self->interval_label), !editable);
  if (editable)
    {
      g_settings_bind (self->settings, "follow-up-interval-months",
                       gtk_spin_button_get_adjustment (self->interval_spin), "value", G_SETTINGS_BIND_DEFAULT);
      adw_action_row_set_activatable_widget (self->interval_row, GTK_WIDGET (self->interval_spin));
      adw_action_row_set_subtitle (self->interval_row, _("How long after a visit a child in a case is due again"));
      return;
    }
  adw_action_row_set_activatable_widget (self->interval_row, NULL);
  adw_action_row_set_subtitle (self->interval_row,
                               _("How long after a visit a child in a case is due again. "
                                 "Only a supervisor can change it."));
  text = g_strdup_printf ("%u", months);
  gtk_label_set_text (self->interval_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->interval_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Months between follow-up visits"), -1);
}

/* For tests: whether the follow-up interval can be changed here. */
gboolean
clmrs_preferences_get_interval_editable (ClmrsPreferences *self)
{
  g_return_val_if_fail (CLMRS_IS_PREFERENCES (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->interval_spin)) &&
         gtk_widget_get_sensitive (GTK_WIDGET (self->interval_spin));
}

static void
clmrs_preferences_dispose (GObject *object)
{
  ClmrsPreferences *self = (ClmrsPreferences *) object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (clmrs_preferences_parent_class)->dispose (object);
}

static void
clmrs_preferences_class_init (ClmrsPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsPreferences, server_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsPreferences, auto_sync_switch);
  gtk_widget_class_bind_template_child (widget_class, ClmrsPreferences, high_contrast_switch);
  gtk_widget_class_bind_template_child (widget_class, ClmrsPreferences, language_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsPreferences, interval_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsPreferences, interval_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsPreferences, interval_spin);
  gtk_widget_class_bind_template_callback (widget_class, server_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, language_selected_cb);
}

static void
clmrs_preferences_init (ClmrsPreferences *self)
{
  g_autofree char *url = NULL;
  g_autofree char *language = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("org.clmrs.Field");
  url = g_settings_get_string (self->settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  g_settings_bind (self->settings, "auto-sync", self->auto_sync_switch, "active", G_SETTINGS_BIND_DEFAULT);
  /* the application applies it at once (clmrs-high-contrast.c) */
  g_settings_bind (self->settings, "high-contrast", self->high_contrast_switch, "active", G_SETTINGS_BIND_DEFAULT);
  set_interval_editable (self, FALSE);
  language = g_settings_get_string (self->settings, "language");
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_str_equal (language, languages[i]))
      adw_combo_row_set_selected (self->language_row, i);
  /* shown with the first entry focused, the server's address was selected
     whole: one stray key replaced it. The language is what most come for. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->language_row));
}

GtkWidget *
clmrs_preferences_new (GtkWindow *parent)
{
  GtkWidget *self = g_object_new (CLMRS_TYPE_PREFERENCES,
                                  "transient-for", parent,
                                  NULL);

  /* the window closes them on sign-out (clmrs-window.c) */
  set_interval_editable (CLMRS_PREFERENCES (self),
                         CLMRS_IS_WINDOW (parent) && clmrs_window_get_supervisor (CLMRS_WINDOW (parent)));

  /* never bigger than the window it comes from: on a handheld it covers
     the app instead of running off the screen */
  if (parent != NULL)
    {
      int width, height, parent_width, parent_height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      parent_width = gtk_widget_get_width (GTK_WIDGET (parent));
      parent_height = gtk_widget_get_height (GTK_WIDGET (parent));
      if (parent_width <= 0 || parent_height <= 0)
        gtk_window_get_default_size (parent, &parent_width, &parent_height);
      if (parent_width > 0 && parent_height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), MIN (width, parent_width), MIN (height, parent_height));
    }
  return self;
}
