/* contrast-audit.c: the contrast of every label on the rendered window, measured from its pixels. */
#define G_LOG_DOMAIN "clmrs-contrast-audit"

#include "contrast-audit.h"

#include <math.h>
#include <string.h>

/* the text colour must be reached by this many pixels at least */
#define MIN_TEXT_PIXELS 3
/* a label smaller than this on screen (clipped, sliding in) is not read */
#define MIN_SIDE 4

typedef struct {
  const guchar *pixels;   /* GDK_MEMORY_DEFAULT: B8G8R8A8 premultiplied */
  gsize         stride;
  int           width;
  int           height;
  graphene_point_t corner; /* the window's point at the texture's top left */
  GString      *scratch;    /* this screen's failing labels */
  guint         n_failures;
  guint         n_labels;
  double        lowest;
  char         *lowest_text;
} Audit;

/* sRGB channel to linear light, as WCAG 2 defines it */
static double
linear (double channel)
{
  return channel <= 0.03928 ? channel / 12.92 : pow ((channel + 0.055) / 1.055, 2.4);
}

/* Relative luminance of a pixel over white (the window's own alpha is
 * one; a translucent toplevel's would be composited on the desktop). */
static double
luminance (const guchar *p)
{
  double a = p[3] / 255.0;
  double b = p[0] / 255.0 + (1 - a);
  double g = p[1] / 255.0 + (1 - a);
  double r = p[2] / 255.0 + (1 - a);

  return 0.2126 * linear (r) + 0.7152 * linear (g) + 0.0722 * linear (b);
}

static double
ratio (double l1,
       double l2)
{
  return (MAX (l1, l2) + 0.05) / (MIN (l1, l2) + 0.05);
}

/* What the label shows: its text, markup taken out. */
static const char *
label_text (GtkWidget *label)
{
  return gtk_label_get_text (GTK_LABEL (label));
}

/* The part of @widget on screen: its bounds in @window, cut by each of
 * its ancestors' (a scrolled list's rows past the viewport, a row's
 * text cut short).  FALSE when nothing is left. */
static gboolean
visible_bounds (GtkWidget       *widget,
                GtkWidget       *window,
                graphene_rect_t *out)
{
  graphene_rect_t rect;

  if (!gtk_widget_compute_bounds (widget, window, &rect))
    return FALSE;
  for (GtkWidget *ancestor = gtk_widget_get_parent (widget); ancestor != NULL && ancestor != window;
       ancestor = gtk_widget_get_parent (ancestor))
    {
      graphene_rect_t clip;

      if (gtk_widget_get_opacity (ancestor) < 0.01)
        return FALSE;
      if (!gtk_widget_compute_bounds (ancestor, window, &clip) ||
          !graphene_rect_intersection (&rect, &clip, &rect))
        return FALSE;
    }
  *out = rect;
  return rect.size.width >= MIN_SIDE && rect.size.height >= MIN_SIDE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The ratio of the label's text against its background, from the pixels
 * of @rect; negative when no pixel stands out (nothing drawn there). */
static double
measure (Audit                 *audit,
         const graphene_rect_t *rect)
{
  double left = rect->origin.x - audit->corner.x;
  double top = rect->origin.y - audit->corner.y;
  int x0 = MAX (0, (int) ceil (left));
  int y0 = MAX (0, (int) ceil (top));
  int x1 = MIN (audit->width, (int) floor (left + rect->size.width));
  int y1 = MIN (audit->height, (int) floor (top + rect->size.height));
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  guint32 background = 0;
  guint best = 0;
  double background_l;
  GHashTableIter iter;
  gpointer key, value;

  if (x1 - x0 < MIN_SIDE || y1 - y0 < MIN_SIDE)
    return -1;
  /* the background: the commonest colour */
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        guint32 pixel;
        guint n;

        memcpy (&pixel, audit->pixels + y * audit->stride + x * 4, 4);
        n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (pixel))) + 1;
        g_hash_table_insert (counts, GUINT_TO_POINTER (pixel), GUINT_TO_POINTER (n));
      }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_UINT (value) > best)
      {
        best = GPOINTER_TO_UINT (value);
        background = GPOINTER_TO_UINT (key);
      }
  background_l = luminance ((const guchar *) &background);
  /* the text: what the few most distinct pixels reach */
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint32 pixel = GPOINTER_TO_UINT (key);
      double r = ratio (luminance ((const guchar *) &pixel), background_l);

      for (guint n = GPOINTER_TO_UINT (value); n > 0; n--)
        g_array_append_val (ratios, r);
    }
  g_array_sort (ratios, compare_double);
  if (ratios->len < MIN_TEXT_PIXELS)
    return -1;
  return g_array_index (ratios, double, ratios->len - MIN_TEXT_PIXELS);
}

static void
audit_tree (Audit     *audit,
            GtkWidget *window,
            GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t rect;
      const char *text;
      double r;

      if (!gtk_widget_get_mapped (child) || !gtk_widget_get_child_visible (child))
        continue;
      if (!GTK_IS_LABEL (child))
        {
          audit_tree (audit, window, child);
          continue;
        }
      /* WCAG's exceptions: a control that cannot be used (a disabled
         button stays faded), and decoration (an avatar's initials, the
         name written beside it) */
      if ((!gtk_widget_is_sensitive (child) && gtk_widget_get_ancestor (child, GTK_TYPE_BUTTON) != NULL) ||
          g_strcmp0 (gtk_widget_get_css_name (widget), "avatar") == 0)
        continue;
      text = label_text (child);
      if (text == NULL || *text == '\0' || strspn (text, " \n\t") == strlen (text) ||
          !visible_bounds (child, window, &rect))
        continue;
      r = measure (audit, &rect);
      if (r < 0)
        continue;
      audit->n_labels++;
      if (audit->lowest == 0 || r < audit->lowest)
        {
          audit->lowest = r;
          g_free (audit->lowest_text);
          audit->lowest_text = g_strdup (text);
        }
      if (r < CONTRAST_AA)
        {
          audit->n_failures++;
          g_string_append_printf (audit->scratch, "\n  %.2f:1  \"%s\" (%s%s%s)", r, text,
                                  gtk_widget_get_css_name (child),
                                  gtk_widget_has_css_class (child, "subtitle") ? ".subtitle" : "",
                                  gtk_widget_has_css_class (child, "dim-label") ? ".dim-label" : "");
        }
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
painted_cb (GdkFrameClock *clock,
            guint         *n_painted)
{
  (*n_painted)++;
}

/* Waits until @window has painted twice since now: what the test just
 * changed is laid out and drawn, as the user sees it. */
static void
wait_for_paint (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint n_painted = 0;
  gulong handler;
  guint tick;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (painted_cb), &n_painted);
  /* each frame the clock paints wakes the loop; the tick only makes sure
     the deadline is looked at if none comes */
  tick = g_timeout_add (10, tick_cb, NULL);
  while (n_painted < 2 && g_get_monotonic_time () < end)
    {
      gtk_widget_queue_draw (window);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (n_painted, >=, 2);
}

/* The window as it is drawn now, in its own coordinates from the
 * corner of its bounds (a client-side shadow starts left of 0). */
static guchar *
render (GtkWidget       *window,
        graphene_rect_t *bounds,
        int             *width,
        int             *height)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guchar *pixels;

  g_assert_true (gtk_widget_compute_bounds (window, window, bounds));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), ceil (bounds->size.width), ceil (bounds->size.height));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, ceil (bounds->size.width), ceil (bounds->size.height)));
  *width = gdk_texture_get_width (texture);
  *height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) *width * 4 * *height);
  gdk_texture_download (texture, pixels, (gsize) *width * 4);
  return pixels;
}

double
contrast_audit_window (GtkWidget  *window,
                       const char *screen,
                       GString    *failures)
{
  Audit audit = { 0 };
  g_autofree guchar *pixels = NULL;
  graphene_rect_t bounds;

  g_return_val_if_fail (GTK_IS_WINDOW (window), 0);
  g_return_val_if_fail (failures != NULL, 0);
  g_assert_true (gtk_widget_get_mapped (window));

  /* still: two renders alike, once transitions (a crossfade, a slide)
     are over */
  for (guint attempt = 0; ; attempt++)
    {
      g_autofree guchar *again = NULL;
      graphene_rect_t again_bounds;
      int width, height;

      g_assert_cmpuint (attempt, <, 50);
      wait_for_paint (window);
      again = render (window, &again_bounds, &width, &height);
      if (pixels != NULL && width == audit.width && height == audit.height &&
          memcmp (pixels, again, (gsize) width * 4 * height) == 0)
        break;
      g_free (pixels);
      pixels = g_steal_pointer (&again);
      bounds = again_bounds;
      audit.width = width;
      audit.height = height;
    }
  audit.stride = (gsize) audit.width * 4;
  audit.pixels = pixels;
  audit.corner = bounds.origin;
  audit.scratch = g_string_new (NULL);
  audit_tree (&audit, window, window);

  g_test_message ("contrast, %s: %u labels, lowest %.2f:1 (\"%s\")", screen, audit.n_labels,
                  audit.lowest, audit.lowest_text ? audit.lowest_text : "");
  g_assert_cmpuint (audit.n_labels, >, 0);
  if (audit.n_failures > 0)
    g_string_append_printf (failures, "\n%s: %u labels below %.1f:1 against their background:%s",
                            screen, audit.n_failures, CONTRAST_AA, audit.scratch->str);
  g_string_free (audit.scratch, TRUE);
  g_free (audit.lowest_text);
  return audit.lowest;
}
