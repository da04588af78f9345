/* clmrs-media-answer.c: the answer to a binary question: a photo picked from the device's files, or a signature drawn; kept in the store with the draft. */
#define G_LOG_DOMAIN "clmrs-media-answer"

#include "config.h"

#include "clmrs-media-answer.h"

#include <glib/gi18n.h>
#include <string.h>

#include "media.h"

struct _ClmrsMediaAnswer
{
  GtkWidget          parent_instance;

  /* Owned references */
  ClmrsDbWorker     *worker;
  GCancellable      *cancellable;
  char              *visit_id;
  char              *ref;
  char              *mediatype;
  guint              max_pixels;
  GtkFileChooserNative *chooser;

  /* Borrowed references */
  GtkWidget         *box;
  GtkPicture        *picture;
  GtkLabel          *status;
  GtkLabel          *error;
  ClmrsSignaturePad *pad;       /* NULL unless a signature */
  GtkWidget         *keep;      /* the signature's Keep button */
  GtkWidget         *clear;
};

G_DEFINE_FINAL_TYPE (ClmrsMediaAnswer, clmrs_media_answer, GTK_TYPE_WIDGET)

enum {
  ATTACHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_error (ClmrsMediaAnswer *self,
           const char       *message)
{
  gtk_label_set_label (self->error, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error), message != NULL);
}

static void
show_thumbnail (ClmrsMediaAnswer *self,
                GBytes           *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_bytes (bytes, &error);

  if (texture == NULL)
    {
      g_debug ("no thumbnail: %s", error->message);
      return;
    }
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (GTK_WIDGET (self->picture), TRUE);
}

/* --- on the worker --- */

typedef struct {
  char     *visit_id;
  char     *ref;
  GBytes   *input;
  char     *extension;   /* of a file kept as it is */
  char     *mime;
  gboolean  image;       /* scaled, as JPEG */
  gboolean  png;         /* a drawing, as PNG */
  guint     max_edge;
} AttachData;

typedef struct {
  char   *name;
  GBytes *kept;
} Attached;

static void
attach_data_free (AttachData *data)
{
  g_free (data->visit_id);
  g_free (data->ref);
  g_clear_pointer (&data->input, g_bytes_unref);
  g_free (data->extension);
  g_free (data->mime);
  g_free (data);
}

static void
attached_free (Attached *attached)
{
  g_free (attached->name);
  g_clear_pointer (&attached->kept, g_bytes_unref);
  g_free (attached);
}

static gpointer
attach_job (ClmrsStore    *store,
            gpointer       user_data,
            GCancellable  *cancellable,
            GError       **error)
{
  AttachData *data = user_data;
  g_autoptr(GBytes) kept = NULL;
  g_autofree char *mime = NULL;
  Attached *attached;
  char *name;

  if (data->image || data->png)
    kept = clmrs_media_prepare_image (data->input, data->max_edge, data->png, 0, &mime, error);
  else
    {
      kept = g_bytes_ref (data->input);
      mime = g_strdup (data->mime);
    }
  if (kept == NULL)
    return NULL;
  name = clmrs_media_attach (store, data->visit_id, data->ref, mime,
                             data->image || data->png ? (data->png ? "png" : "jpg") : data->extension,
                             kept, 0, error);
  if (name == NULL)
    return NULL;
  attached = g_new0 (Attached, 1);
  attached->name = name;
  attached->kept = g_steal_pointer (&kept);
  return attached;
}

static void
attach_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsMediaAnswer) self = user_data;
  g_autoptr(GError) error = NULL;
  Attached *attached = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_label_set_label (self->status, "");
  if (attached == NULL)
    {
      g_debug ("the file was not kept: %s", error->message);
      if (g_error_matches (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_TOO_LARGE))
        set_error (self, _("This file is too large to keep, even made smaller (the limit is 2 MiB). "
                           "Take the photo again with less around it."));
      else if (g_error_matches (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_IMAGE))
        set_error (self, _("This file is not a picture this device can read. Choose another one."));
      else
        set_error (self, _("The file could not be kept. Try again."));
      return;
    }
  set_error (self, NULL);
  show_thumbnail (self, attached->kept);
  gtk_label_set_label (self->status, self->pad != NULL ? _("Signature kept") : _("Photo kept"));
  g_signal_emit (self, signals[ATTACHED], 0, attached->name);
  attached_free (attached);
}

static void
attach (ClmrsMediaAnswer *self,
        AttachData       *data)
{
  data->visit_id = g_strdup (self->visit_id);
  data->ref = g_strdup (self->ref);
  data->max_edge = self->max_pixels;
  set_error (self, NULL);
  gtk_label_set_label (self->status, _("Keeping the file…"));
  clmrs_db_worker_run_async (self->worker, attach_job, data, (GDestroyNotify) attach_data_free,
                             (GDestroyNotify) attached_free, self->cancellable, attach_cb, g_object_ref (self));
}

static gboolean
wants_image (ClmrsMediaAnswer *self)
{
  return self->mediatype == NULL || g_str_has_prefix (self->mediatype, "image/");
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsMediaAnswer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  g_autoptr(GBytes) bytes = g_file_load_bytes_finish (G_FILE (source), result, &etag, &error);
  g_autofree char *basename = g_file_get_basename (G_FILE (source));
  const char *dot = basename != NULL ? strrchr (basename, '.') : NULL;
  AttachData *data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL)
    {
      g_debug ("reading the file: %s", error->message);
      set_error (self, _("The file could not be read. Choose another one."));
      return;
    }
  data = g_new0 (AttachData, 1);
  data->input = g_steal_pointer (&bytes);
  data->image = wants_image (self);
  data->extension = g_ascii_strdown (dot != NULL && dot[1] != '\0' ? dot + 1 : "bin", -1);
  data->mime = g_content_type_guess (basename, NULL, 0, NULL);
  attach (self, data);
}

void
clmrs_media_answer_attach_file (ClmrsMediaAnswer *self,
                                GFile            *file)
{
  g_return_if_fail (CLMRS_IS_MEDIA_ANSWER (self));
  g_return_if_fail (G_IS_FILE (file));

  g_file_load_bytes_async (file, self->cancellable, loaded_cb, g_object_ref (self));
}

void
clmrs_media_answer_keep_signature (ClmrsMediaAnswer *self)
{
  g_autoptr(GError) error = NULL;
  AttachData *data;
  GBytes *png;

  g_return_if_fail (CLMRS_IS_MEDIA_ANSWER (self));
  g_return_if_fail (self->pad != NULL);

  if (clmrs_signature_pad_is_empty (self->pad))
    {
      set_error (self, _("Nothing is drawn yet: sign in the white box first."));
      return;
    }
  png = clmrs_signature_pad_to_png (self->pad, &error);
  if (png == NULL)
    {
      g_warning ("%s", error->message);
      set_error (self, _("The file could not be kept. Try again."));
      return;
    }
  data = g_new0 (AttachData, 1);
  data->input = png;
  data->png = TRUE;
  attach (self, data);
}

static void
chooser_response_cb (GtkNativeDialog  *dialog,
                     int               response,
                     ClmrsMediaAnswer *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        clmrs_media_answer_attach_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
choose_clicked_cb (GtkButton        *button,
                   ClmrsMediaAnswer *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (wants_image (self) ? _("Choose a Photo") : _("Choose a File"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (self->mediatype != NULL && strchr (self->mediatype, '/') != NULL)
    {
      gtk_file_filter_set_name (filter, wants_image (self) ? _("Pictures") : _("Files"));
      gtk_file_filter_add_mime_type (filter, self->mediatype);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
pad_changed_cb (ClmrsSignaturePad *pad,
                ClmrsMediaAnswer  *self)
{
  gboolean empty = clmrs_signature_pad_is_empty (pad);

  gtk_widget_set_sensitive (self->keep, !empty);
  gtk_widget_set_sensitive (self->clear, !empty);
  set_error (self, NULL);
}

static void
clear_clicked_cb (GtkButton        *button,
                  ClmrsMediaAnswer *self)
{
  clmrs_signature_pad_clear (self->pad);
}

static void
keep_clicked_cb (GtkButton        *button,
                 ClmrsMediaAnswer *self)
{
  clmrs_media_answer_keep_signature (self);
}

/* --- the answer already given, shown again --- */

typedef struct {
  char *visit_id;
  char *name;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_free (data->visit_id);
  g_free (data->name);
  g_free (data);
}

static gpointer
read_job (ClmrsStore    *store,
          gpointer       user_data,
          GCancellable  *cancellable,
          GError       **error)
{
  ReadData *data = user_data;

  return clmrs_media_read_file (store, data->visit_id, data->name, NULL, error);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ClmrsMediaAnswer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);

  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("no thumbnail for the answer: %s", error->message);
      return;
    }
  show_thumbnail (self, bytes);
  gtk_label_set_label (self->status, self->pad != NULL ? _("Signature kept") : _("Photo kept"));
}

static GtkWidget *
pill_button (const char *label)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_add_css_class (button, "pill");
  gtk_widget_set_size_request (button, -1, 52);
  return button;
}

static void
clmrs_media_answer_dispose (GObject *object)
{
  ClmrsMediaAnswer *self = CLMRS_MEDIA_ANSWER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (clmrs_media_answer_parent_class)->dispose (object);
}

static void
clmrs_media_answer_finalize (GObject *object)
{
  ClmrsMediaAnswer *self = CLMRS_MEDIA_ANSWER (object);

  g_clear_object (&self->worker);
  g_clear_object (&self->cancellable);
  g_free (self->visit_id);
  g_free (self->ref);
  g_free (self->mediatype);
  G_OBJECT_CLASS (clmrs_media_answer_parent_class)->finalize (object);
}

static void
clmrs_media_answer_class_init (ClmrsMediaAnswerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_media_answer_dispose;
  object_class->finalize = clmrs_media_answer_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "media-answer");

  /* the file is kept in the store: its name is the answer */
  signals[ATTACHED] = g_signal_new ("attached", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
clmrs_media_answer_init (ClmrsMediaAnswer *self)
{
  self->cancellable = g_cancellable_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->picture, TRUE);
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_size_request (GTK_WIDGET (self->picture), -1, 160);
  gtk_widget_set_halign (GTK_WIDGET (self->picture), GTK_ALIGN_START);
  gtk_widget_set_visible (GTK_WIDGET (self->picture), FALSE);
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  self->error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error, TRUE);
  gtk_label_set_xalign (self->error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error), FALSE);
}

GtkWidget *
clmrs_media_answer_new (ClmrsDbWorker     *worker,
                        const char        *visit_id,
                        const ClmrsPrompt *prompt)
{
  ClmrsMediaAnswer *self;
  gboolean drawn;

  g_return_val_if_fail (CLMRS_IS_DB_WORKER (worker), NULL);
  g_return_val_if_fail (visit_id != NULL && prompt != NULL, NULL);

  self = g_object_new (CLMRS_TYPE_MEDIA_ANSWER, NULL);
  self->worker = g_object_ref (worker);
  self->visit_id = g_strdup (visit_id);
  self->ref = g_strdup (prompt->ref);
  self->mediatype = g_strdup (prompt->mediatype);
  self->max_pixels = prompt->max_pixels;
  g_object_set_data_full (G_OBJECT (self), "ref", g_strdup (prompt->ref), g_free);
  drawn = prompt->appearance != NULL &&
          (strstr (prompt->appearance, "signature") != NULL || strstr (prompt->appearance, "draw") != NULL);

  if (drawn)
    {
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

      self->pad = CLMRS_SIGNATURE_PAD (clmrs_signature_pad_new ());
      gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->pad));
      self->clear = pill_button (_("C_lear"));
      self->keep = pill_button (_("_Keep the Signature"));
      gtk_widget_add_css_class (self->keep, "suggested-action");
      gtk_widget_set_sensitive (self->clear, FALSE);
      gtk_widget_set_sensitive (self->keep, FALSE);
      g_signal_connect (self->clear, "clicked", G_CALLBACK (clear_clicked_cb), self);
      g_signal_connect (self->keep, "clicked", G_CALLBACK (keep_clicked_cb), self);
      g_signal_connect (self->pad, "changed", G_CALLBACK (pad_changed_cb), self);
      gtk_box_append (GTK_BOX (buttons), self->clear);
      gtk_box_append (GTK_BOX (buttons), self->keep);
      gtk_box_append (GTK_BOX (self->box), buttons);
    }
  else
    {
      GtkWidget *choose = pill_button (g_str_has_prefix (prompt->mediatype ? prompt->mediatype : "image/", "image/")
                                       ? _("_Choose a Photo…") : _("_Choose a File…"));

      gtk_widget_set_halign (choose, GTK_ALIGN_START);
      g_signal_connect (choose, "clicked", G_CALLBACK (choose_clicked_cb), self);
      gtk_box_append (GTK_BOX (self->box), choose);
    }
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->picture));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->status));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->error));

  /* the answer given before this screen was shown again */
  if (prompt->value != NULL)
    {
      ReadData *data = g_new0 (ReadData, 1);

      data->visit_id = g_strdup (visit_id);
      data->name = g_strdup (prompt->value);
      clmrs_db_worker_run_async (worker, read_job, data, (GDestroyNotify) read_data_free,
                                 (GDestroyNotify) g_bytes_unref, self->cancellable, read_cb, g_object_ref (self));
    }
  return GTK_WIDGET (self);
}

ClmrsSignaturePad *
clmrs_media_answer_get_pad (ClmrsMediaAnswer *self)
{
  g_return_val_if_fail (CLMRS_IS_MEDIA_ANSWER (self), NULL);

  return self->pad;
}

gboolean
clmrs_media_answer_has_thumbnail (ClmrsMediaAnswer *self)
{
  g_return_val_if_fail (CLMRS_IS_MEDIA_ANSWER (self), FALSE);

  return gtk_picture_get_paintable (self->picture) != NULL;
}

const char *
clmrs_media_answer_get_error (ClmrsMediaAnswer *self)
{
  g_return_val_if_fail (CLMRS_IS_MEDIA_ANSWER (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->error)) ? gtk_label_get_label (self->error) : NULL;
}
