/* clmrs-signature-pad.c: a drawing area a signature or a thumb mark is drawn on with a finger, kept as PNG. */
#define G_LOG_DOMAIN "clmrs-signature-pad"

#include "config.h"

#include "clmrs-signature-pad.h"

#include <glib/gi18n.h>

/* The picture kept: wide enough for a signature, small as a PNG (a few KiB). */
#define PAD_WIDTH  600
#define PAD_HEIGHT 240
#define LINE_WIDTH 4.0

struct _ClmrsSignaturePad
{
  GtkWidget  parent_instance;

  /* Owned references */
  GPtrArray *strokes;     /* (element-type GArray of graphene_point_t), in pad coordinates */
  double     start_x;     /* where the drag under way began, widget coordinates */
  double     start_y;
};

G_DEFINE_FINAL_TYPE (ClmrsSignaturePad, clmrs_signature_pad, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Widget coordinates to the pad's fixed PAD_WIDTH x PAD_HEIGHT, so what is
 * kept does not depend on the window's size. */
static graphene_point_t
to_pad (ClmrsSignaturePad *self,
        double             x,
        double             y)
{
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 1);

  return GRAPHENE_POINT_INIT (CLAMP (x, 0, width) * PAD_WIDTH / width,
                              CLAMP (y, 0, height) * PAD_HEIGHT / height);
}

static void
drag_begin_cb (GtkGestureDrag    *gesture,
               double             x,
               double             y,
               ClmrsSignaturePad *self)
{
  GArray *stroke = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
  graphene_point_t point = to_pad (self, x, y);

  self->start_x = x;
  self->start_y = y;
  g_array_append_val (stroke, point);
  g_ptr_array_add (self->strokes, stroke);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_update_cb (GtkGestureDrag    *gesture,
                double             dx,
                double             dy,
                ClmrsSignaturePad *self)
{
  graphene_point_t point = to_pad (self, self->start_x + dx, self->start_y + dy);

  if (self->strokes->len == 0)
    return;
  g_array_append_val ((GArray *) g_ptr_array_index (self->strokes, self->strokes->len - 1), point);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end_cb (GtkGestureDrag    *gesture,
             double             dx,
             double             dy,
             ClmrsSignaturePad *self)
{
  drag_update_cb (gesture, dx, dy, self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The strokes on @cr, scaled from the pad's size to @width x @height. */
static void
draw_strokes (ClmrsSignaturePad *self,
              cairo_t           *cr,
              double             width,
              double             height)
{
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, width / PAD_WIDTH, height / PAD_HEIGHT);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->strokes->len; i++)
    {
      GArray *stroke = g_ptr_array_index (self->strokes, i);
      const graphene_point_t *first = &g_array_index (stroke, graphene_point_t, 0);

      cairo_move_to (cr, first->x, first->y);
      /* a tap is a dot */
      if (stroke->len == 1)
        cairo_line_to (cr, first->x + 0.1, first->y);
      for (guint j = 1; j < stroke->len; j++)
        cairo_line_to (cr, g_array_index (stroke, graphene_point_t, j).x, g_array_index (stroke, graphene_point_t, j).y);
      cairo_stroke (cr);
    }
}

static void
clmrs_signature_pad_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  ClmrsSignaturePad *self = CLMRS_SIGNATURE_PAD (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  draw_strokes (self, cr, width, height);
  cairo_destroy (cr);
}

static void
clmrs_signature_pad_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  /* fits a 360 px phone; as tall as a finger needs */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? PAD_WIDTH : PAD_HEIGHT;
}

static void
clmrs_signature_pad_finalize (GObject *object)
{
  ClmrsSignaturePad *self = CLMRS_SIGNATURE_PAD (object);

  g_clear_pointer (&self->strokes, g_ptr_array_unref);
  G_OBJECT_CLASS (clmrs_signature_pad_parent_class)->finalize (object);
}

static void
clmrs_signature_pad_class_init (ClmrsSignaturePadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = clmrs_signature_pad_finalize;
  widget_class->snapshot = clmrs_signature_pad_snapshot;
  widget_class->measure = clmrs_signature_pad_measure;
  gtk_widget_class_set_css_name (widget_class, "signature-pad");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);

  /* a stroke was drawn */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
clmrs_signature_pad_init (ClmrsSignaturePad *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->strokes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (drag), FALSE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Signature pad: draw with a finger"), -1);
}

GtkWidget *
clmrs_signature_pad_new (void)
{
  return g_object_new (CLMRS_TYPE_SIGNATURE_PAD, NULL);
}

gboolean
clmrs_signature_pad_is_empty (ClmrsSignaturePad *self)
{
  g_return_val_if_fail (CLMRS_IS_SIGNATURE_PAD (self), TRUE);

  return self->strokes->len == 0;
}

void
clmrs_signature_pad_clear (ClmrsSignaturePad *self)
{
  g_return_if_fail (CLMRS_IS_SIGNATURE_PAD (self));

  g_ptr_array_set_size (self->strokes, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[CHANGED], 0);
}

static cairo_status_t
append_png_cb (void                *closure,
               const unsigned char *data,
               unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
clmrs_signature_pad_to_png (ClmrsSignaturePad  *self,
                            GError            **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  GByteArray *png = g_byte_array_new ();
  cairo_status_t status;

  g_return_val_if_fail (CLMRS_IS_SIGNATURE_PAD (self), NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, PAD_WIDTH, PAD_HEIGHT);
  cr = cairo_create (surface);
  draw_strokes (self, cr, PAD_WIDTH, PAD_HEIGHT);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png_stream (surface, append_png_cb, png);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_byte_array_unref (png);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the signature could not be kept: %s",
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (png);
}
