/* test-media.c: media answers: photos scaled down, the programme's size limit, files kept with their draft. */
#include "media.h"
#include "store.h"
#include "util.h"
#include "xform.h"

#include "media-test-helpers.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char       *dir;
  char       *path;
  ClmrsStore *store;
  char       *visit;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *community = clmrs_uuid_new ();
  g_autofree char *facilitator = clmrs_uuid_new ();

  f->dir = g_dir_make_tmp ("clmrs-media-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "device.db", NULL);
  f->store = clmrs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_store_add_community (f->store, community, "Kragui", "Soubré", "ci", &error));
  g_assert_true (clmrs_store_add_facilitator (f->store, facilitator, "Awa Koné", "female",
                                              "facilitator", "482193", &error));
  g_assert_no_error (error);
  f->visit = clmrs_store_draft_create (f->store, "household", "household_visit", "1", facilitator,
                                       community, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  clmrs_store_close (f->store);
  for (const char *const *s = (const char *[]) { "", "-wal", "-shm", NULL }; *s; s++)
    {
      g_autofree char *path = g_strconcat (f->path, *s, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->visit);
}

static void
image_size (GBytes *bytes, int *width, int *height)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, &error);

  g_assert_no_error (error);
  *width = gdk_pixbuf_get_width (pixbuf);
  *height = gdk_pixbuf_get_height (pixbuf);
}

/* A camera's 3000 x 2000 photo is kept at 1280 px on its long edge, as
 * JPEG; the form's orx:max-pixels wins; a signature stays PNG. */
static void
test_prepare_scales_down (void)
{
  g_autoptr(GBytes) photo = test_noise_png (3000, 2000, 1);
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GBytes) small = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mime = NULL;
  int width, height;

  kept = clmrs_media_prepare_image (photo, 0, FALSE, 0, &mime, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mime, ==, "image/jpeg");
  g_assert_cmpmem (g_bytes_get_data (kept, NULL), 3, "\xff\xd8\xff", 3);
  image_size (kept, &width, &height);
  g_assert_cmpint (width, ==, CLMRS_MEDIA_MAX_EDGE);
  g_assert_cmpint (height, ==, 853);
  g_assert_cmpuint (g_bytes_get_size (kept), <=, CLMRS_MEDIA_MAX_BYTES);
  g_test_message ("3000x2000 noise: %" G_GSIZE_FORMAT " bytes as PNG, %" G_GSIZE_FORMAT " kept",
                  g_bytes_get_size (photo), g_bytes_get_size (kept));

  g_clear_pointer (&mime, g_free);
  small = clmrs_media_prepare_image (photo, 300, FALSE, 0, &mime, &error);
  g_assert_no_error (error);
  image_size (small, &width, &height);
  g_assert_cmpint (width, ==, 300);
  g_assert_cmpint (height, ==, 200);

  g_clear_pointer (&mime, g_free);
  signature = clmrs_media_prepare_image (small, 0, TRUE, 0, &mime, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mime, ==, "image/png");
  g_assert_cmpmem (g_bytes_get_data (signature, NULL), 8, "\x89PNG\r\n\x1a\n", 8);
}

/* Over the limit after scaling: refused, saying both sizes; a file that
 * is not a picture: refused, saying so. */
static void
test_prepare_refusals (void)
{
  g_autoptr(GBytes) photo = test_noise_png (800, 800, 2);
  g_autoptr(GBytes) text = g_bytes_new_static ("not a picture", 13);
  g_autoptr(GError) error = NULL;

  g_assert_null (clmrs_media_prepare_image (photo, 0, TRUE, 100 * 1024, NULL, &error));
  g_assert_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "the picture, scaled down, is "));
  g_assert_nonnull (strstr (error->message, "over the programme's limit of 100 KiB for one file"));
  g_clear_error (&error);
  g_assert_null (clmrs_media_prepare_image (text, 0, FALSE, 0, NULL, &error));
  g_assert_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_IMAGE);
  g_assert_nonnull (strstr (error->message, "not a picture this device can read"));
}

static gint64
count (ClmrsStore *store, const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (clmrs_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* A file kept with its draft and question: read back byte for byte, a
 * second photo replaces the first, over the limit nothing changes, and
 * discarding the draft takes its files. */
static void
test_attach_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) photo = test_noise_png (200, 100, 3);
  g_autoptr(GBytes) again = test_noise_png (100, 100, 4);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *second = NULL;
  g_autofree char *mime = NULL;
  const char *ref = "/household_visit/household/photo";

  name = clmrs_media_attach (f->store, f->visit, ref, "image/png", "png", photo, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (name, ".png"));
  g_assert_true (clmrs_form_binary_name_is_valid (name));
  back = clmrs_media_read_file (f->store, f->visit, name, &mime, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, photo));
  g_assert_cmpstr (mime, ==, "image/png");

  second = clmrs_media_attach (f->store, f->visit, ref, "image/png", "png", again, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, !=, name);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM media"), ==, 1);
  g_assert_null (clmrs_media_read_file (f->store, f->visit, name, NULL, &error));
  g_assert_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (clmrs_media_attach (f->store, f->visit, ref, "image/png", "png", photo,
                                     g_bytes_get_size (photo) - 1, &error));
  g_assert_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (clmrs_media_attach (f->store, f->visit, ref, "image/png", "../x", photo, 0, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM media"), ==, 1);

  g_assert_true (clmrs_store_draft_discard (f->store, f->visit, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM media"), ==, 0);
}

/* Finalising keeps the files its answers name, and only those. */
static void
test_drop_unanswered (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) photo = test_noise_png (20, 20, 5);
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = clmrs_media_attach (f->store, f->visit, "/h/a", "image/png", "png", photo, 0, &error);
  g_autofree char *dropped = clmrs_media_attach (f->store, f->visit, "/h/b", "image/png", "png", photo, 0, &error);
  g_autofree char *json = g_strdup_printf ("{\"a\":\"%s\",\"children\":[{\"x\":1}]}", kept);
  g_autoptr(JsonNode) answers = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (clmrs_store_begin (f->store, &error));
  g_assert_true (clmrs_media_drop_unanswered (f->store, f->visit, answers, &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_store_commit (f->store, &error));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM media"), ==, 1);
  g_bytes_unref (clmrs_media_read_file (f->store, f->visit, kept, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (clmrs_media_read_file (f->store, f->visit, dropped, NULL, &error));
  g_assert_error (error, CLMRS_MEDIA_ERROR, CLMRS_MEDIA_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/media/prepare-scales-down", test_prepare_scales_down);
  g_test_add_func ("/media/prepare-refusals", test_prepare_refusals);
  g_test_add ("/media/attach-round-trip", Fixture, NULL, fixture_setup, test_attach_round_trip, fixture_teardown);
  g_test_add ("/media/drop-unanswered", Fixture, NULL, fixture_setup, test_drop_unanswered, fixture_teardown);
  return g_test_run ();
}
