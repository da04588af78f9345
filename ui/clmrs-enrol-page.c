/* clmrs-enrol-page.c: first run: enrol the device with a server and a one-time code, or continue offline. */
#define G_LOG_DOMAIN "clmrs-enrol-page"

#include "config.h"

#include "clmrs-enrol-page.h"
#include "clmrs-enrol-page-private.h"

#include <glib/gi18n.h>

#include "people.h"

#include "clmrs-db-worker.h"
#include "clmrs-sync-jobs.h"

struct _ClmrsEnrolPage
{
  AdwBin        parent_instance;

  /* Template widgets */
  AdwEntryRow  *server_entry;
  AdwEntryRow  *code_entry;
  GtkLabel     *error_label;
  GtkExpander  *details_expander;   /* the technical text, for whoever supports the facilitator */
  GtkLabel     *details_label;
  GtkButton    *enrol_button;
  GtkSpinner   *spinner;
  GtkLabel     *enrol_label;
  GtkButton    *offline_button;
  GtkWidget    *supervisors_box;
  GtkLabel     *supervisors_label;

  /* Owned references */
  GSettings    *settings;
  GCancellable *cancellable;
  GCancellable *people_cancellable;
  ClmrsDbWorker *worker;
};

G_DEFINE_FINAL_TYPE (ClmrsEnrolPage, clmrs_enrol_page, ADW_TYPE_BIN)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
entry_text (AdwEntryRow *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

static void
drop_focus (ClmrsEnrolPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* GTK 4.8 warns when a focused text field turns insensitive or hidden */
  if (root != NULL)
    gtk_root_set_focus (root, NULL);
}

static void
set_busy (ClmrsEnrolPage *self,
          gboolean        busy)
{
  if (busy)
    drop_focus (self);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_label_set_text_with_mnemonic (self->enrol_label, busy ? _("Enrolling…") : _("_Enrol Device"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_entry), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->code_entry), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->offline_button), !busy);
}

static void
show_error (ClmrsEnrolPage *self,
            const char     *text,
            const char     *detail)
{
  gtk_label_set_text (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
  gtk_label_set_text (self->details_label, detail ? detail : "");
  gtk_expander_set_expanded (self->details_expander, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->details_expander), detail != NULL);
}

static void
entry_changed_cb (ClmrsEnrolPage *self)
{
  g_autofree char *url = entry_text (self->server_entry);
  g_autofree char *code = entry_text (self->code_entry);

  gtk_widget_set_sensitive (GTK_WIDGET (self->enrol_button),
                            self->cancellable == NULL && *url != '\0' && *code != '\0');
}

static void
enrol_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ClmrsEnrolPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!clmrs_sync_jobs_enrol_finish (result, &error))
    {
      g_autofree char *why = NULL;
      g_autofree char *detail = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Enrolment failed: %s", error->message);
      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      entry_changed_cb (self);
      why = clmrs_sync_jobs_describe_error (error);
      detail = clmrs_sync_jobs_error_detail (error);
      show_error (self, why, detail);
      return;
    }
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  {
    g_autofree char *url = entry_text (self->server_entry);

    g_settings_set_string (self->settings, "server-url", url);
  }
  g_settings_set_boolean (self->settings, "work-offline", FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->code_entry), "");
  drop_focus (self);
  g_signal_emit (self, signals[DONE], 0, TRUE);
}

static void
enrol_clicked_cb (ClmrsEnrolPage *self)
{
  g_autofree char *url = entry_text (self->server_entry);
  g_autofree char *code = entry_text (self->code_entry);

  if (self->cancellable != NULL || self->worker == NULL || *url == '\0' || *code == '\0')
    return;
  if (!g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
    {
      show_error (self, _("The server address starts with https:// (or http:// on a local network)."), NULL);
      gtk_widget_grab_focus (GTK_WIDGET (self->server_entry));
      return;
    }
  show_error (self, NULL, NULL);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enrol_button), FALSE);
  clmrs_sync_jobs_enrol_async (self->worker, url, code, self->cancellable, enrol_cb, g_object_ref (self));
}

static void
entry_activated_cb (ClmrsEnrolPage *self,
                    AdwEntryRow    *entry)
{
  if (entry == self->server_entry)
    gtk_widget_grab_focus (GTK_WIDGET (self->code_entry));
  else
    enrol_clicked_cb (self);
}

static void
offline_clicked_cb (ClmrsEnrolPage *self)
{
  clmrs_enrol_page_stop (self);
  g_settings_set_boolean (self->settings, "work-offline", TRUE);
  drop_focus (self);
  g_signal_emit (self, signals[DONE], 0, FALSE);
}

/* A ClmrsDbJobFunc: the names of the device's supervisors, a GStrv. */
static gpointer
list_supervisors_job (ClmrsStore    *store,
                      gpointer       data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GPtrArray) people = clmrs_people_list (store, error);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (people == NULL)
    return NULL;
  for (guint i = 0; i < people->len; i++)
    {
      ClmrsPerson *person = g_ptr_array_index (people, i);

      if (person->supervisor)
        g_strv_builder_add (names, person->name);
    }
  return g_strv_builder_end (names);
}

static void
supervisors_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClmrsEnrolPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;
  guint n;

  if (names == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not list the device's supervisors: %s", error->message);
      return;
    }
  n = g_strv_length (names);
  if (n == 0)
    return;
  /* the server never takes a role from a device (docs/operations.md):
     said here, before the enrolment, to whoever can still act on it */
  joined = g_strjoinv (", ", names);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s is a supervisor on this device, but the server will take them for a "
                                       "facilitator. Before this device’s first sync, ask whoever runs the server to "
                                       "make them a supervisor there (clmrs-server people set-role), or the reviews "
                                       "made here will be refused.",
                                       "%s are supervisors on this device, but the server will take them for "
                                       "facilitators. Before this device’s first sync, ask whoever runs the server to "
                                       "make them supervisors there (clmrs-server people set-role), or the reviews "
                                       "made here will be refused.", n),
                          joined);
  gtk_label_set_text (self->supervisors_label, text);
  gtk_widget_set_visible (self->supervisors_box, TRUE);
}

void
clmrs_enrol_page_reset (ClmrsEnrolPage *self,
                        ClmrsDbWorker  *worker)
{
  g_autofree char *url = NULL;

  g_return_if_fail (CLMRS_IS_ENROL_PAGE (self));
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));

  clmrs_enrol_page_stop (self);
  g_set_object (&self->worker, worker);
  g_cancellable_cancel (self->people_cancellable);
  g_clear_object (&self->people_cancellable);
  self->people_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->supervisors_box, FALSE);
  clmrs_db_worker_run_async (worker, list_supervisors_job, NULL, NULL, (GDestroyNotify) g_strfreev,
                             self->people_cancellable, supervisors_cb, g_object_ref (self));
  url = g_settings_get_string (self->settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), url);
  gtk_editable_set_text (GTK_EDITABLE (self->code_entry), "");
  show_error (self, NULL, NULL);
  entry_changed_cb (self);
}

void
clmrs_enrol_page_stop (ClmrsEnrolPage *self)
{
  g_return_if_fail (CLMRS_IS_ENROL_PAGE (self));

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  entry_changed_cb (self);
}

gboolean
clmrs_enrol_page_get_busy (ClmrsEnrolPage *self)
{
  g_return_val_if_fail (CLMRS_IS_ENROL_PAGE (self), FALSE);

  return self->cancellable != NULL;
}

GtkWidget *
clmrs_enrol_page_get_widget (ClmrsEnrolPage *self,
                             const char     *name)
{
  g_return_val_if_fail (CLMRS_IS_ENROL_PAGE (self), NULL);

  if (g_strcmp0 (name, "server") == 0)
    return GTK_WIDGET (self->server_entry);
  if (g_strcmp0 (name, "code") == 0)
    return GTK_WIDGET (self->code_entry);
  if (g_strcmp0 (name, "enrol") == 0)
    return GTK_WIDGET (self->enrol_button);
  if (g_strcmp0 (name, "offline") == 0)
    return GTK_WIDGET (self->offline_button);
  if (g_strcmp0 (name, "error") == 0)
    return GTK_WIDGET (self->error_label);
  if (g_strcmp0 (name, "details") == 0)
    return GTK_WIDGET (self->details_expander);
  if (g_strcmp0 (name, "supervisors") == 0)
    return GTK_WIDGET (self->supervisors_label);
  return NULL;
}

static void
clmrs_enrol_page_dispose (GObject *object)
{
  ClmrsEnrolPage *self = (ClmrsEnrolPage *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->people_cancellable != NULL)
    g_cancellable_cancel (self->people_cancellable);
  g_clear_object (&self->people_cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (clmrs_enrol_page_parent_class)->dispose (object);
}

static void
clmrs_enrol_page_finalize (GObject *object)
{
  ClmrsEnrolPage *self = (ClmrsEnrolPage *) object;

  g_clear_object (&self->worker);

  G_OBJECT_CLASS (clmrs_enrol_page_parent_class)->finalize (object);
}

static void
clmrs_enrol_page_class_init (ClmrsEnrolPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_enrol_page_dispose;
  object_class->finalize = clmrs_enrol_page_finalize;

  /* ::done (enrolled): enrolled, or the user chose to continue offline */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-enrol-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, server_entry);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, code_entry);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, details_expander);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, details_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, enrol_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, enrol_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, offline_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, supervisors_box);
  gtk_widget_class_bind_template_child (widget_class, ClmrsEnrolPage, supervisors_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, enrol_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, offline_clicked_cb);
}

static void
clmrs_enrol_page_init (ClmrsEnrolPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("org.clmrs.Field");
}

GtkWidget *
clmrs_enrol_page_new (void)
{
  return g_object_new (CLMRS_TYPE_ENROL_PAGE, NULL);
}
