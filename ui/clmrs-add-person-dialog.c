/* clmrs-add-person-dialog.c: someone signed in lets a colleague of their communities sign in on this device. */
#define G_LOG_DOMAIN "clmrs-add-person-dialog"

#include "config.h"

#include "clmrs-add-person-dialog.h"
#include "device.h"
#include "pin.h"

#include <glib/gi18n.h>
#include <string.h>

/*
 * On an encrypted device a person signs in by unwrapping the data key
 * with their PIN, so someone must hold the key to give a newcomer an
 * entry in the keyring: the person signed in opens this, picks the
 * colleague (received from the server, or made by `clmrs init`), types
 * the one-time PIN the supervisor was given when the server made one, and
 * the colleague chooses their PIN, typed twice.  The wrap (Argon2id, a
 * second or more on a handheld) runs on the database worker; the window
 * says so meanwhile.  docs/security-at-rest.md, "People arriving".
 */

struct _ClmrsAddPersonDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkStack             *stack;
  GtkButton            *back_button;
  GtkListBox           *people_list;
  AdwStatusPage        *empty_page;
  GtkLabel             *name_label;
  AdwPasswordEntryRow  *one_time_row;
  AdwPasswordEntryRow  *pin_row;
  AdwPasswordEntryRow  *again_row;
  GtkLabel             *message_label;
  GtkSpinner           *spinner;
  GtkButton            *add_button;
  AdwStatusPage        *done_page;

  /* Owned references */
  ClmrsDbWorker        *worker;
  GCancellable         *cancellable;
  GPtrArray            *arrivals;   /* of ClmrsDeviceArrival */

  /* Borrowed references */
  ClmrsDeviceArrival   *chosen;     /* in arrivals */

  const char           *state;
};

G_DEFINE_FINAL_TYPE (ClmrsAddPersonDialog, clmrs_add_person_dialog, ADW_TYPE_WINDOW)

typedef struct {
  char *person_id;
  char *one_time_pin;
  char *pin;
} AddData;

static void
wipe_free (char *text)
{
  if (text != NULL)
    memset (text, 0, strlen (text));
  g_free (text);
}

static void
add_data_free (AddData *data)
{
  g_free (data->person_id);
  wipe_free (data->one_time_pin);
  wipe_free (data->pin);
  g_free (data);
}

/* On the worker. */
static gpointer
list_job (ClmrsStore    *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  return clmrs_device_list_arrivals (store, error);
}

/* On the worker: the key held for the person signed in wraps the
 * colleague's entry. */
static gpointer
add_job (ClmrsStore    *store,
         gpointer       user_data,
         GCancellable  *cancellable,
         GError       **error)
{
  AddData *data = user_data;
  g_autoptr(ClmrsDataKey) key = clmrs_store_dup_held_key (clmrs_store_get_path (store));

  if (key == NULL)
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_LOCKED,
                           _("Only someone signed in on an encrypted device can add a colleague."));
      return NULL;
    }
  if (!clmrs_device_add_person (store, key, data->person_id, data->one_time_pin, data->pin, error))
    return NULL;
  return GINT_TO_POINTER (TRUE);
}

static void
set_state (ClmrsAddPersonDialog *self,
           const char           *state)
{
  gboolean busy = g_str_equal (state, "busy");

  self->state = state;
  gtk_stack_set_visible_child_name (self->stack, busy ? "pin" : state);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), g_str_equal (state, "pin"));
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  /* the rows stay as they are (the worker has its own copy of the PINs):
     a focused entry made insensitive loses its focus-out */
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), !busy);
}

static void
set_message (ClmrsAddPersonDialog *self,
             const char           *text,
             gboolean              error)
{
  gtk_label_set_text (self->message_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
clear_entries (ClmrsAddPersonDialog *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->one_time_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->again_row), "");
}

static void
choose (ClmrsAddPersonDialog *self,
        ClmrsDeviceArrival   *arrival)
{
  self->chosen = arrival;
  gtk_label_set_text (self->name_label, arrival->name);
  clear_entries (self);
  gtk_widget_set_visible (GTK_WIDGET (self->one_time_row), arrival->needs_one_time_pin);
  if (arrival->needs_one_time_pin)
    set_message (self, _("The server gave this person a one-time PIN: type it first, then let them choose their own PIN."), FALSE);
  else
    set_message (self, _("Let them choose their own PIN and type it twice."), FALSE);
  set_state (self, "pin");
  gtk_widget_grab_focus (GTK_WIDGET (arrival->needs_one_time_pin ? self->one_time_row : self->pin_row));
}

static char *
arrival_subtitle (const ClmrsDeviceArrival *arrival)
{
  const char *role = arrival->supervisor ? _("Supervisor") : _("Community facilitator");

  if (arrival->erased)
    /* Translators: %s is a role; the person's key was erased after wrong PINs */
    return g_strdup_printf (_("%s · erased after 10 wrong PINs"), role);
  if (arrival->needs_one_time_pin)
    /* Translators: %s is a role */
    return g_strdup_printf (_("%s · has a one-time PIN from the server"), role);
  return g_strdup (role);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ClmrsAddPersonDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) arrivals = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  GtkWidget *child;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->people_list))) != NULL)
    gtk_list_box_remove (self->people_list, child);
  self->chosen = NULL;
  g_clear_pointer (&self->arrivals, g_ptr_array_unref);
  if (arrivals == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("The people could not be read"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->empty_page), TRUE);
      set_state (self, "people");
      return;
    }
  self->arrivals = g_steal_pointer (&arrivals);
  for (guint i = 0; i < self->arrivals->len; i++)
    {
      ClmrsDeviceArrival *arrival = g_ptr_array_index (self->arrivals, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = arrival_subtitle (arrival);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), arrival->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), adw_avatar_new (40, arrival->name, TRUE));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->people_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->people_list), self->arrivals->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), self->arrivals->len == 0);
  set_state (self, "people");
}

static void
load (ClmrsAddPersonDialog *self)
{
  set_state (self, "loading");
  clmrs_db_worker_run_async (self->worker, list_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                             self->cancellable, list_cb, g_object_ref (self));
}

static void
person_activated_cb (ClmrsAddPersonDialog *self,
                     GtkListBoxRow        *row)
{
  int index = gtk_list_box_row_get_index (row);

  if (self->arrivals != NULL && index >= 0 && (guint) index < self->arrivals->len)
    choose (self, g_ptr_array_index (self->arrivals, index));
}

static void
back_clicked_cb (ClmrsAddPersonDialog *self)
{
  clear_entries (self);
  self->chosen = NULL;
  set_state (self, "people");
}

/* The refusal in plain words. */
static const char *
explain (const GError *error)
{
  if (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN))
    return _("That is not the one-time PIN the server gave. Check it with the supervisor.");
  if (g_error_matches (error, CLMRS_KEYRING_ERROR, CLMRS_KEYRING_ERROR_WEAK_PIN))
    return _("This PIN is too easy to guess (one digit repeated, or a run like 123456). Choose another.");
  if (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID))
    return _("Choose a PIN other than the one-time PIN");
  return error->message;
}

static void
add_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(ClmrsAddPersonDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      set_state (self, "pin");
      gtk_editable_set_text (GTK_EDITABLE (self->pin_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->again_row), "");
      if (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN))
        gtk_editable_set_text (GTK_EDITABLE (self->one_time_row), "");
      set_message (self, explain (error), TRUE);
      return;
    }
  clear_entries (self);
  /* Translators: %s is a person's name */
  title = g_strdup_printf (_("%s can sign in on this device now"), self->chosen != NULL ? self->chosen->name : "");
  adw_status_page_set_title (self->done_page, title);
  set_state (self, "done");
}

/* Checks what can be checked here, then asks the worker to wrap the key. */
static void
add_clicked_cb (ClmrsAddPersonDialog *self)
{
  const char *one_time = gtk_editable_get_text (GTK_EDITABLE (self->one_time_row));
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->again_row));
  AddData *data;

  if (self->chosen == NULL || g_str_equal (self->state, "busy"))
    return;
  if (self->chosen->needs_one_time_pin && *one_time == '\0')
    {
      set_message (self, _("Type the one-time PIN the server gave first."), TRUE);
      return;
    }
  for (const char *p = pin; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      {
        set_message (self, _("A PIN has digits only."), TRUE);
        return;
      }
  if (strlen (pin) < CLMRS_PIN_MIN_DIGITS || strlen (pin) > CLMRS_PIN_MAX_DIGITS)
    {
      /* Translators: %d and %d are 6 and 12 */
      g_autofree char *text = g_strdup_printf (_("A new PIN has %d to %d digits."), CLMRS_PIN_MIN_DIGITS,
                                               CLMRS_PIN_MAX_DIGITS);

      set_message (self, text, TRUE);
      return;
    }
  if (!g_str_equal (pin, again))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->again_row), "");
      set_message (self, _("The two PINs differ. Type the same PIN twice."), TRUE);
      return;
    }
  data = g_new0 (AddData, 1);
  data->person_id = g_strdup (self->chosen->id);
  data->one_time_pin = self->chosen->needs_one_time_pin ? g_strdup (one_time) : NULL;
  data->pin = g_strdup (pin);
  set_message (self, _("Protecting this device's key with the new PIN. This takes a few seconds…"), FALSE);
  set_state (self, "busy");
  clmrs_db_worker_run_async (self->worker, add_job, data, (GDestroyNotify) add_data_free, NULL,
                             self->cancellable, add_cb, g_object_ref (self));
}

static void
done_clicked_cb (ClmrsAddPersonDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
another_clicked_cb (ClmrsAddPersonDialog *self)
{
  load (self);
}

const char *
clmrs_add_person_dialog_get_state (ClmrsAddPersonDialog *self)
{
  g_return_val_if_fail (CLMRS_IS_ADD_PERSON_DIALOG (self), NULL);

  return self->state;
}

guint
clmrs_add_person_dialog_get_n_people (ClmrsAddPersonDialog *self)
{
  g_return_val_if_fail (CLMRS_IS_ADD_PERSON_DIALOG (self), 0);

  return self->arrivals != NULL ? self->arrivals->len : 0;
}

static void
clmrs_add_person_dialog_dispose (GObject *object)
{
  ClmrsAddPersonDialog *self = (ClmrsAddPersonDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->worker);
  self->chosen = NULL;
  g_clear_pointer (&self->arrivals, g_ptr_array_unref);

  G_OBJECT_CLASS (clmrs_add_person_dialog_parent_class)->dispose (object);
}

static void
clmrs_add_person_dialog_class_init (ClmrsAddPersonDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_add_person_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-add-person-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, back_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, people_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, name_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, one_time_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, pin_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, again_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsAddPersonDialog, done_page);
  gtk_widget_class_bind_template_callback (widget_class, person_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, done_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, another_clicked_cb);
}

static void
clmrs_add_person_dialog_init (ClmrsAddPersonDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->state = "loading";
}

GtkWidget *
clmrs_add_person_dialog_new (GtkWindow     *parent,
                             ClmrsDbWorker *worker)
{
  ClmrsAddPersonDialog *self;

  g_return_val_if_fail (CLMRS_IS_DB_WORKER (worker), NULL);

  self = g_object_new (CLMRS_TYPE_ADD_PERSON_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->worker = g_object_ref (worker);
  load (self);
  return GTK_WIDGET (self);
}
