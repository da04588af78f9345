/* clmrs-visit-questions.c: the wizard's question screen: a widget for each prompt, its answers, the roster, what holds Next. */
#define G_LOG_DOMAIN "clmrs-visit-wizard"

#include "config.h"

#include "clmrs-visit-wizard-internal.h"

#include <glib/gi18n.h>
#include <string.h>

#include "clmrs-i18n.h"
#include "clmrs-media-answer.h"
#include "clmrs-rank-list.h"
#include "clmrs-visit-screens-private.h"
#include "util.h"

/*
 * These are the wizard's own functions (ClmrsVisitWizard, its instance in
 * clmrs-visit-wizard-internal.h), kept apart from its navigation, jobs
 * and pages: everything that builds the question screen and turns a tap
 * or a keystroke into an answer.
 */

/* --- answers --- */

static void
box_remove_all (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}


void
_clmrs_visit_wizard_hide_problem (ClmrsVisitWizard *self)
{
  g_clear_pointer (&self->problem_ref, g_free);
  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
}

/* Says in the bar above Next what is wrong, then which question it is
 * about: the question's own message may be below a long list, out of
 * sight, or the question above the fold. */
static void
show_problem (ClmrsVisitWizard *self,
              const char       *ref,
              const char       *message)
{
  GtkWidget *label = g_hash_table_lookup (self->messages, ref);
  const char *question = label != NULL ? g_object_get_data (G_OBJECT (label), "question") : NULL;

  g_free (self->problem_ref);
  self->problem_ref = g_strdup (ref);
  gtk_label_set_label (self->problem_label, message);
  gtk_label_set_label (self->problem_question, question ? question : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_question), question != NULL && *question != '\0');
  gtk_revealer_set_reveal_child (self->problem_revealer, TRUE);
}

static void
set_message (ClmrsVisitWizard *self,
             const char       *ref,
             const char       *message)
{
  GtkLabel *label = g_hash_table_lookup (self->messages, ref);

  if (label == NULL)
    return;
  gtk_label_set_label (label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL && *message != '\0');
  /* corrected: the bar no longer has anything to say */
  if ((message == NULL || *message == '\0') && g_strcmp0 (ref, self->problem_ref) == 0)
    _clmrs_visit_wizard_hide_problem (self);
}

/* Whether the questions of the screen shown are still the ones on it. */
gboolean
_clmrs_visit_wizard_screen_is_current (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (self->session);
  g_autoptr(GArray) starts = _clmrs_screen_starts (prompts);
  int screen = _clmrs_find_screen (prompts, starts, self->anchor);
  guint first, end;

  if (screen < 0)
    return FALSE;
  first = g_array_index (starts, guint, screen);
  end = _clmrs_screen_end (starts, prompts, screen);
  if (end - first != self->screen_refs->len)
    return FALSE;
  for (guint i = first; i < end; i++)
    if (g_strcmp0 (((ClmrsPrompt *) g_ptr_array_index (prompts, i))->ref,
                   g_ptr_array_index (self->screen_refs, i - first)) != 0)
      return FALSE;
  return TRUE;
}

static GtkWidget *
find_input (GtkWidget  *root,
            const char *ref)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "ref"), ref) == 0)
        return child;
      if ((found = find_input (child, ref)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
refresh_screen_cb (gpointer user_data)
{
  ClmrsVisitWizard *self = user_data;
  g_autofree char *ref = g_steal_pointer (&self->focus_ref);
  GtkWidget *input;

  self->refresh_source = 0;
  if (self->session == NULL || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "question") != 0)
    return G_SOURCE_REMOVE;
  _clmrs_visit_wizard_show_screen (self);
  /* typing goes on where it was */
  input = ref ? find_input (GTK_WIDGET (self->question_box), ref) : NULL;
  if (input != NULL && GTK_IS_EDITABLE (input))
    {
      gtk_widget_grab_focus (input);
      gtk_editable_set_position (GTK_EDITABLE (input), -1);
    }
  return G_SOURCE_REMOVE;
}

void
_clmrs_visit_wizard_refresh_now (ClmrsVisitWizard *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  refresh_screen_cb (self);
}

void
_clmrs_visit_wizard_clear_screen (ClmrsVisitWizard *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_pointer (&self->focus_ref, g_free);
  self->building = TRUE;
  box_remove_all (self->question_box);
  self->building = FALSE;
  g_hash_table_remove_all (self->messages);
  g_hash_table_remove_all (self->typed);
  g_ptr_array_set_size (self->screen_refs, 0);
}

gboolean
_clmrs_visit_wizard_answer (ClmrsVisitWizard *self,
        const char       *ref,
        const char       *value)
{
  g_autoptr(GError) error = NULL;

  if (self->building || self->session == NULL)
    return FALSE;
  if (!clmrs_form_session_set_answer (self->session, ref, value && *value ? value : NULL, &error))
    {
      /* e.g. "12a" for a number: say so, keep nothing */
      set_message (self, ref, _("This answer does not fit the question"));
      g_debug ("answer refused: %s", error->message);
      return FALSE;
    }
  set_message (self, ref, NULL);
  _clmrs_visit_wizard_save (self, ref, value && *value ? value : NULL, FALSE);
  /* a correction's answer may make another question needed, or no longer */
  if (self->from_review)
    _clmrs_visit_wizard_update_next (self);
  /* an answer that shows or hides questions of this screen (in school?
     then which grade) redraws it, after the widget's own signal */
  if (self->refresh_source == 0 && !_clmrs_visit_wizard_screen_is_current (self))
    {
      g_free (self->focus_ref);
      self->focus_ref = g_strdup (ref);
      self->refresh_source = g_idle_add (refresh_screen_cb, self);
    }
  return TRUE;
}

/* A ranking reordered, or its order kept: the answer. */
static void
rank_changed_cb (ClmrsRankList    *list,
                 const char       *order,
                 ClmrsVisitWizard *self)
{
  _clmrs_visit_wizard_answer (self, g_object_get_data (G_OBJECT (list), "ref"), order);
}

static void
acknowledge_toggled_cb (GtkCheckButton   *check,
                        ClmrsVisitWizard *self)
{
  /* ODK's acknowledgement: "OK" once acknowledged, empty again when not */
  _clmrs_visit_wizard_answer (self, g_object_get_data (G_OBJECT (check), "ref"), gtk_check_button_get_active (check) ? "OK" : NULL);
}

/* A trigger (XLSForm's acknowledge): one check row, "OK". */
static GtkWidget *
acknowledge_row (ClmrsVisitWizard  *self,
                 const ClmrsPrompt *prompt,
                 GtkWidget         *question)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("OK"));
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strcmp0 (prompt->value, "OK") == 0);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY, question, NULL, -1);
  g_object_set_data_full (G_OBJECT (check), "ref", g_strdup (prompt->ref), g_free);
  g_signal_connect (check, "toggled", G_CALLBACK (acknowledge_toggled_cb), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_widget_add_css_class (row, "choice-row");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return list;
}

/* A photo or a signature is kept in the store: its name is the answer. */
static void
media_attached_cb (ClmrsMediaAnswer *media,
                   const char       *name,
                   ClmrsVisitWizard *self)
{
  _clmrs_visit_wizard_answer (self, g_object_get_data (G_OBJECT (media), "ref"), name);
}

static void
entry_changed_cb (GtkEditable      *entry,
                  ClmrsVisitWizard *self)
{
  const char *ref = g_object_get_data (G_OBJECT (entry), "ref");
  const char *number = g_object_get_data (G_OBJECT (entry), "number-message");
  const char *text = gtk_editable_get_text (entry);

  if (self->building || self->session == NULL)
    return;
  if (_clmrs_visit_wizard_answer (self, ref, text) || number == NULL)
    {
      g_hash_table_remove (self->typed, ref);
      return;
    }
  /* letters in a number: say what is wrong, keep what was typed */
  g_hash_table_insert (self->typed, g_strdup (ref), g_strdup (text));
  set_message (self, ref, number);
}

static void
choice_toggled_cb (GtkCheckButton   *check,
                   ClmrsVisitWizard *self)
{
  GtkWidget *list = g_object_get_data (G_OBJECT (check), "list");
  const char *ref = g_object_get_data (G_OBJECT (list), "ref");
  gboolean multiple = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list), "multiple"));
  g_autoptr(GString) value = g_string_new (NULL);
  GPtrArray *checks = g_object_get_data (G_OBJECT (list), "checks");

  if (self->building)
    return;
  if (!multiple && !gtk_check_button_get_active (check))
    return;
  for (guint i = 0; i < checks->len; i++)
    {
      GtkCheckButton *c = g_ptr_array_index (checks, i);

      if (gtk_check_button_get_active (c))
        {
          if (value->len)
            g_string_append_c (value, ' ');
          g_string_append (value, g_object_get_data (G_OBJECT (c), "value"));
        }
    }
  _clmrs_visit_wizard_answer (self, ref, value->str);
}

static void
day_selected_cb (GtkCalendar      *calendar,
                 ClmrsVisitWizard *self)
{
  GtkMenuButton *button = g_object_get_data (G_OBJECT (calendar), "button");
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);
  g_autofree char *value = g_date_time_format (date, "%Y-%m-%d");
  g_autofree char *shown = clmrs_i18n_format_day (value);

  if (self->building)
    return;
  gtk_menu_button_set_label (button, shown);
  gtk_menu_button_popdown (button);
  _clmrs_visit_wizard_answer (self, g_object_get_data (G_OBJECT (calendar), "ref"), value);
}

/* --- building a screen --- */

static GtkWidget *
choice_list (ClmrsVisitWizard  *self,
             const ClmrsPrompt *prompt)
{
  GtkWidget *list = gtk_list_box_new ();
  GPtrArray *checks = g_ptr_array_new ();
  gboolean multiple = prompt->control == CLMRS_CONTROL_SELECT;
  g_auto(GStrv) chosen = g_strsplit (prompt->value ? prompt->value : "", " ", -1);
  GtkCheckButton *group = NULL;

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set_data_full (G_OBJECT (list), "ref", g_strdup (prompt->ref), g_free);
  g_object_set_data (G_OBJECT (list), "multiple", GINT_TO_POINTER (multiple));
  g_object_set_data_full (G_OBJECT (list), "checks", checks, (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; prompt->choices != NULL && i < prompt->choices->len; i++)
    {
      ClmrsChoice *choice = g_ptr_array_index (prompt->choices, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), choice->label ? choice->label : choice->value);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      if (!multiple)
        {
          if (group == NULL)
            group = GTK_CHECK_BUTTON (check);
          else
            gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
        }
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strv_contains ((const char * const *) chosen, choice->value));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      choice->label ? choice->label : choice->value, -1);
      g_object_set_data_full (G_OBJECT (check), "value", g_strdup (choice->value), g_free);
      g_object_set_data (G_OBJECT (check), "list", list);
      g_signal_connect (check, "toggled", G_CALLBACK (choice_toggled_cb), self);
      g_ptr_array_add (checks, check);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_widget_add_css_class (row, "choice-row");
      gtk_widget_set_sensitive (row, !prompt->readonly);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  return list;
}

static GtkWidget *
date_button (ClmrsVisitWizard  *self,
             const ClmrsPrompt *prompt,
             GtkWidget         *question)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *calendar = gtk_calendar_new ();
  GDate date;

  if (prompt->value != NULL)
    {
      g_autofree char *shown = clmrs_i18n_format_day (prompt->value);

      gtk_menu_button_set_label (GTK_MENU_BUTTON (button), shown);
    }
  else
    gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Choose a date"));
  gtk_widget_set_size_request (button, -1, 52);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (calendar), GTK_ACCESSIBLE_RELATION_LABELLED_BY, question, NULL, -1);
  if (prompt->value != NULL && clmrs_date_parse (prompt->value, &date))
    {
      g_autoptr(GDateTime) when = g_date_time_new_utc (g_date_get_year (&date), g_date_get_month (&date),
                                                       g_date_get_day (&date), 0, 0, 0);

      gtk_calendar_select_day (GTK_CALENDAR (calendar), when);
    }
  g_object_set_data_full (G_OBJECT (calendar), "ref", g_strdup (prompt->ref), g_free);
  g_object_set_data (G_OBJECT (calendar), "button", button);
  g_signal_connect (calendar, "day-selected", G_CALLBACK (day_selected_cb), self);
  gtk_popover_set_child (GTK_POPOVER (popover), calendar);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  return button;
}

static GtkWidget *
text_entry (ClmrsVisitWizard  *self,
            const ClmrsPrompt *prompt)
{
  GtkWidget *entry = gtk_entry_new ();

  const char *typed = g_hash_table_lookup (self->typed, prompt->ref);

  gtk_editable_set_text (GTK_EDITABLE (entry), typed ? typed : prompt->value ? prompt->value : "");
  gtk_widget_set_size_request (entry, -1, 52);
  gtk_widget_add_css_class (entry, "answer-entry");
  if (prompt->type == CLMRS_TYPE_INT)
    {
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_DIGITS);
      g_object_set_data (G_OBJECT (entry), "number-message", (gpointer) _("Type a whole number"));
    }
  else if (prompt->type == CLMRS_TYPE_DECIMAL)
    {
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
      g_object_set_data (G_OBJECT (entry), "number-message", (gpointer) _("Type a number"));
    }
  else if (prompt->type == CLMRS_TYPE_GEOTRACE || prompt->type == CLMRS_TYPE_GEOSHAPE)
    {
      /* no map on the handheld: the points are typed, as a GPS reader shows them */
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "5.3364 -4.0267; 5.3371 -4.0262");
      g_object_set_data (G_OBJECT (entry), "number-message",
                         (gpointer) (prompt->type == CLMRS_TYPE_GEOTRACE
                                     ? _("Type at least 2 points, each as latitude and longitude, separated by ;")
                                     : _("Type at least 3 points, each as latitude and longitude, separated by ; "
                                         "and end with the first point again")));
    }
  g_object_set_data_full (G_OBJECT (entry), "ref", g_strdup (prompt->ref), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (entry_changed_cb), self);
  return entry;
}

static void
add_repeat_clicked_cb (GtkButton        *button,
                       ClmrsVisitWizard *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "ref");
  g_autoptr(GError) error = NULL;
  g_autofree char *instance = clmrs_form_session_add_repeat (self->session, path, &error);
  g_autoptr(GPtrArray) prompts = NULL;

  if (instance == NULL)
    {
      _clmrs_visit_wizard_toast (self, error->message);
      return;
    }
  _clmrs_visit_wizard_save (self, NULL, NULL, TRUE);
  /* go to the first question of the new instance */
  prompts = clmrs_form_session_get_prompts (self->session);
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);

      if (p->repeat != NULL && g_str_equal (p->repeat, instance))
        {
          _clmrs_visit_wizard_set_anchor (self, p->ref);
          break;
        }
    }
  _clmrs_visit_wizard_show_screen (self);
}

/* --- the roster: the instances of a repeat, by name --- */

/* Goes to the first screen of the instance @instance_ref. */
static void
edit_instance (ClmrsVisitWizard *self,
               const char       *instance_ref)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (self->session);

  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);

      if (g_strcmp0 (p->repeat, instance_ref) == 0)
        {
          _clmrs_visit_wizard_set_anchor (self, p->ref);
          _clmrs_visit_wizard_show_screen (self);
          return;
        }
    }
}

static void
edit_instance_clicked_cb (GtkButton        *button,
                          ClmrsVisitWizard *self)
{
  g_autofree char *instance = g_strdup (g_object_get_data (G_OBJECT (button), "instance"));

  if (self->session != NULL)
    edit_instance (self, instance);
}

static void
remove_instance_response_cb (AdwMessageDialog *dialog,
                             const char       *response,
                             ClmrsVisitWizard *self)
{
  const char *instance = g_object_get_data (G_OBJECT (dialog), "instance");
  const char *roster = g_object_get_data (G_OBJECT (dialog), "roster");
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "remove") || self->session == NULL)
    return;
  if (!clmrs_form_session_remove_repeat (self->session, instance, &error))
    {
      _clmrs_visit_wizard_toast (self, error->message);
      return;
    }
  _clmrs_visit_wizard_save (self, NULL, NULL, TRUE);
  /* the roster again, one name shorter */
  _clmrs_visit_wizard_set_anchor (self, roster);
  _clmrs_visit_wizard_show_screen (self);
}

/* Asks before removing a child: their answers in this visit go with them. */
static void
remove_instance_clicked_cb (GtkButton        *button,
                            ClmrsVisitWizard *self)
{
  GtkWidget *dialog;
  const char *name = g_object_get_data (G_OBJECT (button), "name");
  g_autofree char *heading = NULL;

  /* Translators: asked before removing a child from the visit, "Remove Ama?" */
  heading = g_strdup_printf (_("Remove %s?"), name);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   _("Their answers in this visit are removed with them."));
  adw_message_dialog_set_heading_use_markup (ADW_MESSAGE_DIALOG (dialog), FALSE);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "instance", g_strdup (g_object_get_data (G_OBJECT (button), "instance")), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "roster", g_strdup (g_object_get_data (G_OBJECT (button), "roster")), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_instance_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* "Female · 9 years", what is known of an instance besides its name. */
static char *
instance_details (const ClmrsRepeatInstance *instance)
{
  g_autofree char *age = NULL;

  if (instance->age != NULL)
    {
      int years = atoi (instance->age);

      age = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", years), years);
    }
  if (instance->sex != NULL && age != NULL)
    /* Translators: two parts of a line, "Child 2 of 3 · School", "Female · 9 years" */
    return g_strdup_printf (_("%s · %s"), instance->sex, age);
  if (age != NULL)
    return g_steal_pointer (&age);
  return g_strdup (instance->sex);
}

static GtkWidget *
roster_button (ClmrsVisitWizard          *self,
               const char                *icon,
               const char                *a11y,
               const char                *tooltip,
               const ClmrsRepeatInstance *instance,
               const char                *name,
               const char                *roster,
               GCallback                  callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, 48, 48);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_object_set_data_full (G_OBJECT (button), "instance", g_strdup (instance->ref), g_free);
  g_object_set_data_full (G_OBJECT (button), "name", g_strdup (name), g_free);
  g_object_set_data_full (G_OBJECT (button), "roster", g_strdup (roster), g_free);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

/* The instances of the repeat @prompt adds to, one row each with its
 * name, sex and age, to edit or remove; NULL while there is none. */
static GtkWidget *
roster_list (ClmrsVisitWizard  *self,
             const ClmrsPrompt *prompt)
{
  g_autoptr(GPtrArray) instances = clmrs_form_session_list_repeat_instances (self->session, prompt->ref);
  GtkWidget *list;

  if (instances->len == 0)
    return NULL;
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_add_css_class (list, "roster");
  for (guint i = 0; i < instances->len; i++)
    {
      ClmrsRepeatInstance *instance = g_ptr_array_index (instances, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *fallback = NULL;
      g_autofree char *details = instance_details (instance);
      g_autofree char *edit = NULL;
      g_autofree char *remove = NULL;
      const char *name;

      if (instance->name == NULL)
        /* Translators: a child (any repeat instance) not named yet, "Child 3" */
        fallback = g_strdup_printf (_("%s %u"), prompt->label, instance->position);
      name = instance->name != NULL ? instance->name : fallback;
      /* Translators: accessible name of a button, "Edit Ama" */
      edit = g_strdup_printf (_("Edit %s"), name);
      /* Translators: accessible name of a button, "Remove Ama" */
      remove = g_strdup_printf (_("Remove %s"), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      if (details != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details);
      gtk_widget_add_css_class (row, "roster-row");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 roster_button (self, "document-edit-symbolic", edit, _("Edit"), instance, name,
                                                prompt->ref, G_CALLBACK (edit_instance_clicked_cb)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 roster_button (self, "user-trash-symbolic", remove, _("Remove"), instance, name,
                                                prompt->ref, G_CALLBACK (remove_instance_clicked_cb)));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  return list;
}

/* The words of the button adding one more to the repeat @prompt adds
 * to: "Add a Child" for a household's children, "Add Farm" otherwise. */
static char *
add_label (ClmrsVisitWizard  *self,
           const ClmrsPrompt *prompt)
{
  g_autoptr(GPtrArray) rosters = clmrs_form_get_entity_repeats (self->form, "child");

  for (guint i = 0; i < rosters->len; i++)
    if (g_strcmp0 (((ClmrsEntityData *) g_ptr_array_index (rosters, i))->ref, prompt->ref) == 0)
      return g_strdup (_("Add a Child"));
  /* Translators: the button adding one more of a repeat, "Add Farm" */
  return g_strdup_printf (_("Add %s"), prompt->label ? prompt->label : "");
}

static void
add_prompt (ClmrsVisitWizard  *self,
            const ClmrsPrompt *prompt,
            gboolean           alone)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *label = gtk_label_new (prompt->label ? prompt->label : prompt->ref);
  GtkWidget *message = gtk_label_new (NULL);
  GtkWidget *hint = NULL;
  GtkWidget *input = NULL;

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, alone ? "title-2" : "title-4");
  gtk_box_append (GTK_BOX (box), label);
  if (prompt->hint != NULL)
    {
      hint = gtk_label_new (prompt->hint);
      gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
      gtk_label_set_xalign (GTK_LABEL (hint), 0);
      gtk_widget_add_css_class (hint, "dim-label");
      gtk_box_append (GTK_BOX (box), hint);
    }

  /* what is wrong goes under the question, above its answers: below a
     list of twenty tasks it would be out of sight */
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_widget_add_css_class (message, "error");
  gtk_widget_add_css_class (message, "heading");
  gtk_widget_set_visible (message, FALSE);
  g_object_set_data_full (G_OBJECT (message), "question", g_strdup (prompt->label ? prompt->label : prompt->ref), g_free);
  gtk_box_append (GTK_BOX (box), message);

  if (prompt->kind == CLMRS_PROMPT_REPEAT_ADD)
    {
      GtkWidget *roster = roster_list (self, prompt);

      /* who is entered already, above the button to add one more */
      if (roster != NULL)
        gtk_box_append (GTK_BOX (box), roster);
      g_autofree char *add = add_label (self, prompt);

      input = gtk_button_new_with_label (add);
      gtk_widget_add_css_class (input, "pill");
      gtk_widget_add_css_class (input, "suggested-action");
      gtk_widget_set_halign (input, GTK_ALIGN_START);
      gtk_widget_set_size_request (input, 160, 52);
      gtk_accessible_update_property (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_PROPERTY_LABEL, prompt->label, -1);
      g_object_set_data_full (G_OBJECT (input), "ref", g_strdup (prompt->ref), g_free);
      g_signal_connect (input, "clicked", G_CALLBACK (add_repeat_clicked_cb), self);
    }
  else if (prompt->control == CLMRS_CONTROL_TRIGGER && !prompt->readonly)
    input = acknowledge_row (self, prompt, label);
  else if (prompt->control == CLMRS_CONTROL_RANK)
    {
      input = clmrs_rank_list_new (prompt);
      g_signal_connect (input, "changed", G_CALLBACK (rank_changed_cb), self);
    }
  else if (prompt->readonly || prompt->control == CLMRS_CONTROL_TRIGGER)
    {
      if (prompt->value != NULL)
        {
          input = gtk_label_new (prompt->value);
          gtk_label_set_xalign (GTK_LABEL (input), 0);
          gtk_widget_add_css_class (input, "title-3");
        }
    }
  else if (prompt->control == CLMRS_CONTROL_SELECT1 || prompt->control == CLMRS_CONTROL_SELECT)
    input = choice_list (self, prompt);
  else if (prompt->control == CLMRS_CONTROL_UPLOAD)
    {
      input = clmrs_media_answer_new (self->worker, self->visit_id, prompt);
      g_signal_connect (input, "attached", G_CALLBACK (media_attached_cb), self);
    }
  else if (prompt->type == CLMRS_TYPE_DATE)
    input = date_button (self, prompt, label);
  else if (prompt->type == CLMRS_TYPE_GEOPOINT)
    {
      /* nobody types coordinates: without a GPS reader the place stays empty */
      input = gtk_label_new (prompt->required ? _("This device cannot read the location. Ask your supervisor.")
                                              : _("This device cannot read the location: go to the next question."));
      gtk_label_set_wrap (GTK_LABEL (input), TRUE);
      gtk_label_set_xalign (GTK_LABEL (input), 0);
      gtk_widget_add_css_class (input, "dim-label");
    }
  else
    input = text_entry (self, prompt);
  if (input != NULL)
    gtk_box_append (GTK_BOX (box), input);
  /* a screen reader says the question as shown (its ref when it has no
   * label) on the answer's entry, date button or list, then the hint */
  if (input != NULL && !GTK_IS_LABEL (input) && prompt->kind != CLMRS_PROMPT_REPEAT_ADD)
    {
      gtk_accessible_update_relation (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
      if (hint != NULL)
        gtk_accessible_update_relation (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, hint, NULL, -1);
    }

  g_hash_table_insert (self->messages, g_strdup (prompt->ref), message);
  g_ptr_array_add (self->screen_refs, g_strdup (prompt->ref));

  gtk_box_append (self->question_box, box);
}

/* How far along the screen starting with @ref is, measured on every screen
 * the form could still show: the screens visible so far would put the
 * consent question near the end, as nothing after it is relevant yet. */
static double
progress_of (ClmrsVisitWizard *self,
             const char       *ref)
{
  g_autoptr(GPtrArray) outline = clmrs_form_session_get_outline (self->session);
  g_autoptr(GArray) starts = _clmrs_screen_starts (outline);
  int screen = _clmrs_find_screen (outline, starts, ref);

  return screen < 0 ? 0.0 : (double) (screen + 1) / (starts->len + 1);
}

void
_clmrs_visit_wizard_show_screen (ClmrsVisitWizard *self)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (self->session);
  g_autoptr(GArray) starts = _clmrs_screen_starts (prompts);
  g_autofree char *subtitle = NULL;
  int screen = _clmrs_find_screen (prompts, starts, self->anchor);
  guint end;
  ClmrsPrompt *first;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (starts->len == 0)
    {
      _clmrs_visit_wizard_show_review (self);
      return;
    }
  if (screen < 0)
    screen = 0;
  self->building = TRUE;
  _clmrs_visit_wizard_hide_problem (self);
  box_remove_all (self->question_box);
  g_hash_table_remove_all (self->messages);
  g_ptr_array_set_size (self->screen_refs, 0);

  first = g_ptr_array_index (prompts, g_array_index (starts, guint, screen));
  _clmrs_visit_wizard_set_anchor (self, first->ref);
  end = _clmrs_screen_end (starts, prompts, screen);
  /* where the screen is, above its questions: in full, where the header's
     subtitle would be cut at 360 px ("Child 2 of 3 · Other questions…") */
  subtitle = _clmrs_place_of (first);
  /* whom (and which support) a one-child form is about, from its first screen */
  if (self->about != NULL)
    {
      g_autofree char *place = g_steal_pointer (&subtitle);

      /* Translators: whom a screen is about and its section, "School kit · Kouadio · Support" */
      subtitle = *place != '\0' ? g_strdup_printf (_("%s · %s"), self->about, place) : g_strdup (self->about);
    }
  if (*subtitle != '\0')
    {
      GtkWidget *place = gtk_label_new (subtitle);

      gtk_label_set_wrap (GTK_LABEL (place), TRUE);
      gtk_label_set_xalign (GTK_LABEL (place), 0);
      gtk_widget_add_css_class (place, "place");
      gtk_widget_add_css_class (place, "heading");
      gtk_widget_add_css_class (place, "dim-label");
      gtk_box_append (self->question_box, place);
    }
  for (guint i = g_array_index (starts, guint, screen); i < end; i++)
    add_prompt (self, g_ptr_array_index (prompts, i), end - g_array_index (starts, guint, screen) == 1);

  /* a child (or any repeat instance) can be taken out again */
  if (first->kind == CLMRS_PROMPT_QUESTION && first->repeat != NULL)
    {
      g_autofree char *counted = g_strdup_printf (_("%s %u"), first->repeat_label ? first->repeat_label : "",
                                                  first->repeat_position);
      const char *name = first->repeat_name ? first->repeat_name : counted;
      /* Translators: accessible name of a button, "Remove Ama" */
      g_autofree char *label = g_strdup_printf (_("Remove %s"), name);
      GtkWidget *remove = gtk_button_new_with_label (label);

      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_add_css_class (remove, "remove-repeat");
      gtk_widget_set_halign (remove, GTK_ALIGN_END);
      gtk_widget_set_size_request (remove, -1, 48);
      gtk_widget_set_margin_top (remove, 24);

      /* asked first, as from the roster: the child's answers go too */
      g_object_set_data_full (G_OBJECT (remove), "instance", g_strdup (first->repeat), g_free);
      g_object_set_data_full (G_OBJECT (remove), "name", g_strdup (name), g_free);
      g_object_set_data_full (G_OBJECT (remove), "roster", g_strndup (first->repeat, strrchr (first->repeat, '[') - first->repeat), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_instance_clicked_cb), self);
      gtk_box_append (self->question_box, remove);
    }
  self->building = FALSE;
  /* typed text is kept only while its question is on the screen */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->typed);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_ptr_array_find_with_equal_func (self->screen_refs, key, g_str_equal, NULL))
        g_hash_table_iter_remove (&iter);
  }

  adw_window_title_set_subtitle (self->title, self->about ? self->about : "");
  gtk_progress_bar_set_fraction (self->progress, progress_of (self, first->ref));
  _clmrs_visit_wizard_update_next (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), screen > 0);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->question_scroller), 0);
  gtk_action_bar_set_revealed (self->action_bar, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "question");
}
/* The span of the chosen rows of the choice list @list, in @within's
 * coordinates; FALSE when nothing is chosen. */
static gboolean
chosen_rows_span (GtkWidget *list,
                  GtkWidget *within,
                  double    *top,
                  double    *bottom)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (list), "checks");
  gboolean found = FALSE;

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      GtkWidget *check = g_ptr_array_index (checks, i);
      GtkWidget *row = gtk_widget_get_ancestor (check, GTK_TYPE_LIST_BOX_ROW);
      graphene_rect_t bounds;

      if (!gtk_check_button_get_active (GTK_CHECK_BUTTON (check)) || row == NULL ||
          !gtk_widget_compute_bounds (row, within, &bounds))
        continue;
      *top = found ? MIN (*top, bounds.origin.y) : bounds.origin.y;
      *bottom = found ? MAX (*bottom, bounds.origin.y + bounds.size.height) : bounds.origin.y + bounds.size.height;
      found = TRUE;
    }
  return found;
}

/* Scrolls the question area to the question box @box once it has been laid
 * out (the frame after the one that may still move it): the whole question
 * when it fits; else, when its chosen answers conflict ("None of these"
 * with a task), those rows with as much of the question above them as
 * fits, the last ones next to the message bar when they do not all fit;
 * else its top (the question itself). */
static gboolean
scroll_to_question_cb (GtkWidget     *box,
                       GdkFrameClock *clock,
                       gpointer       user_data)
{
  ClmrsVisitWizard *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->question_scroller);
  guint ticks = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (box), "scroll-ticks")) + 1;
  GtkWidget *conflict = g_object_get_data (G_OBJECT (box), "scroll-conflict");
  GtkWidget *content;
  graphene_rect_t bounds;
  double value, page, top, bottom, rows_top, rows_bottom;

  g_object_set_data (G_OBJECT (box), "scroll-ticks", GUINT_TO_POINTER (ticks));
  if (ticks < 2 || gtk_widget_get_height (box) == 0)
    return ticks < 60 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
  /* in the coordinates of what scrolls (the adjustment's), which do not
     move while the focus just given scrolls the view */
  content = gtk_viewport_get_child (GTK_VIEWPORT (gtk_scrolled_window_get_child (self->question_scroller)));
  if (!gtk_widget_compute_bounds (box, content, &bounds))
    return G_SOURCE_REMOVE;
  value = gtk_adjustment_get_value (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  top = bounds.origin.y - 12;
  bottom = bounds.origin.y + bounds.size.height + 12;
  if (bottom - top > page && conflict != NULL &&
      chosen_rows_span (conflict, content, &rows_top, &rows_bottom))
    {
      rows_top -= 12;
      rows_bottom += 12;
      value = rows_bottom - rows_top > page ? rows_bottom - page : MAX (top, rows_bottom - page);
    }
  else if (bottom - top > page || top < value)
    value = top;
  else if (bottom > value + page)
    value = bottom - page;
  gtk_adjustment_set_value (adjustment, CLAMP (value, gtk_adjustment_get_lower (adjustment),
                                               gtk_adjustment_get_upper (adjustment) - page));
  return G_SOURCE_REMOVE;
}

/* Brings the question @ref into view and gives its answer the focus, so
 * that its message is seen (and said by a screen reader).  For answers
 * that @conflict, the focus goes to the last chosen row, the one the
 * scrolling keeps next to the message bar. */
static void
reveal_question (ClmrsVisitWizard *self,
                 const char       *ref,
                 gboolean          conflict)
{
  GtkWidget *message = g_hash_table_lookup (self->messages, ref);
  GtkWidget *input = find_input (GTK_WIDGET (self->question_box), ref);
  GtkWidget *list = NULL;
  GtkWidget *box;

  if (message == NULL)
    return;
  box = gtk_widget_get_parent (message);
  if (input != NULL && GTK_IS_CALENDAR (input))
    input = g_object_get_data (G_OBJECT (input), "button");
  else if (input != NULL && GTK_IS_LIST_BOX (input))
    {
      GPtrArray *checks = g_object_get_data (G_OBJECT (input), "checks");
      GtkWidget *chosen = NULL;

      for (guint i = 0; conflict && checks != NULL && i < checks->len; i++)
        if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
          chosen = g_ptr_array_index (checks, i);
      if (chosen != NULL)
        list = input;
      input = chosen != NULL ? chosen : checks != NULL && checks->len > 0 ? g_ptr_array_index (checks, 0) : input;
    }
  if (input != NULL)
    gtk_widget_grab_focus (input);
  g_object_set_data (G_OBJECT (box), "scroll-ticks", NULL);
  g_object_set_data (G_OBJECT (box), "scroll-conflict", list);
  gtk_widget_add_tick_callback (box, scroll_to_question_cb, self, NULL);
}

gboolean
_clmrs_visit_wizard_check_screen (ClmrsVisitWizard *self)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < self->screen_refs->len; i++)
    {
      const char *ref = g_ptr_array_index (self->screen_refs, i);
      g_autofree char *message = NULL;
      GtkWidget *input = NULL;
      ClmrsCheck check;

      if (g_hash_table_contains (self->typed, ref))
        input = find_input (GTK_WIDGET (self->question_box), ref);
      if (input != NULL && g_object_get_data (G_OBJECT (input), "number-message") != NULL)
        {
          /* what was typed is not a number: the session kept none of it */
          set_message (self, ref, g_object_get_data (G_OBJECT (input), "number-message"));
          if (ok)
            {
              show_problem (self, ref, g_object_get_data (G_OBJECT (input), "number-message"));
              reveal_question (self, ref, FALSE);
            }
          ok = FALSE;
        }
      else if ((check = clmrs_form_session_check (self->session, ref, &message)) != CLMRS_CHECK_OK)
        {
          set_message (self, ref, message ? message : _("This answer is needed"));
          if (ok)
            {
              show_problem (self, ref, message ? message : _("This answer is needed"));
              reveal_question (self, ref, check == CLMRS_CHECK_CONSTRAINT);
            }
          ok = FALSE;
        }
      else
        set_message (self, ref, NULL);
    }
  return ok;
}
