/* test-store-people.c: the device's people: what the server sends applied, a first PIN chosen, a one-time PIN used once. */
#include "pin.h"
#include "store.h"
#include "util.h"

#include <glib/gstdio.h>

/* A hash of the 4-digit PIN 4821 as devices stored them before PINs had
 * 6 digits (PBKDF2-HMAC-SHA256, 60000 iterations, made outside the code). */
#define LEGACY_4821 "pbkdf2-sha256$60000$Y2xtcnMtbGVnYWN5LXBpbg==$dCi2sjKttYQCZydtZSX2PZ8ePogImfV+UgYYaOiIXxo="

#define AWA "7d9e2f10-4b5c-4e6f-9a1b-2c3d4e5f6a7b"
#define YAO "8e0f3a21-5c6d-4f70-8b2c-3d4e5f6a7b8c"

typedef struct {
  char       *dir;
  ClmrsStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("clmrs-people-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "device.db", NULL);
  f->store = clmrs_store_open (path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  clmrs_store_close (f->store);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static JsonArray *
people_of (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_array_ref (json_node_get_array (node));
}

static char *
row_of (ClmrsStore *store, const char *id)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clmrs_store_prepare (store, "SELECT name, sex, role, active, pin_hash IS NOT NULL, pin_one_time "
                                                   "FROM facilitators WHERE id = ?", &error);
  char *row = NULL;

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    row = g_strdup_printf ("%s|%s|%s|active=%d|pin=%d|one_time=%d", sqlite3_column_text (stmt, 0),
                           sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2), sqlite3_column_int (stmt, 3),
                           sqlite3_column_int (stmt, 4), sqlite3_column_int (stmt, 5));
  sqlite3_finalize (stmt);
  return row;
}

static ClmrsPinState
pin_state (ClmrsStore *store, const char *id)
{
  g_autoptr(GError) error = NULL;
  ClmrsPinState state = CLMRS_PIN_STATE_SET;

  g_assert_true (clmrs_store_get_pin_state (store, id, &state, &error));
  g_assert_no_error (error);
  return state;
}

/* The server's people: added with no PIN, changed, disabled; a role the
 * device had is the server's; an own PIN is never replaced; a malformed
 * list changes nothing. */
static void
test_apply_people (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) first = people_of ("[{\"id\":\"" AWA "\",\"name\":\"Awa Koné\",\"sex\":\"female\","
                                          "\"role\":\"facilitator\",\"one_time_pin_hash\":null,\"disabled\":false}]");
  g_autoptr(JsonArray) second = NULL;
  g_autoptr(JsonArray) bad = people_of ("[{\"id\":\"" AWA "\",\"name\":\"Awa\",\"sex\":\"female\","
                                        "\"role\":\"facilitator\",\"disabled\":true},"
                                        "{\"id\":\"not-a-uuid\",\"name\":\"X\",\"sex\":\"male\",\"role\":\"facilitator\"}]");
  g_autofree char *row = NULL;
  g_autofree char *one_time = clmrs_pin_hash ("246810", &error);
  guint changed = 0;

  g_assert_no_error (error);
  /* Yao was set up on this device as a supervisor, with his own PIN */
  g_assert_true (clmrs_store_add_facilitator (f->store, YAO, "Yao Kouassi", "male", "supervisor", "135790", &error));
  g_assert_no_error (error);

  g_assert_true (clmrs_store_apply_people (f->store, first, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  row = row_of (f->store, AWA);
  g_assert_cmpstr (row, ==, "Awa Koné|female|facilitator|active=1|pin=0|one_time=0");
  g_assert_cmpint (pin_state (f->store, AWA), ==, CLMRS_PIN_STATE_NONE);
  g_assert_false (clmrs_store_check_pin (f->store, AWA, "", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN_NOT_SET);
  g_clear_error (&error);

  /* the same list again changes nothing */
  g_assert_true (clmrs_store_apply_people (f->store, first, &changed, &error));
  g_assert_cmpuint (changed, ==, 0);

  /* renamed, one-time PIN given; Yao is a facilitator for the server and
   * keeps his own PIN although the server offers a one-time one */
  {
    g_autofree char *json = g_strdup_printf (
        "[{\"id\":\"" AWA "\",\"name\":\"Awa Koné Traoré\",\"sex\":\"female\",\"role\":\"facilitator\","
        "\"one_time_pin_hash\":\"%s\",\"disabled\":false},"
        "{\"id\":\"" YAO "\",\"name\":\"Yao Kouassi\",\"sex\":\"male\",\"role\":\"facilitator\","
        "\"one_time_pin_hash\":\"%s\",\"disabled\":false}]", one_time, one_time);

    second = people_of (json);
  }
  g_assert_true (clmrs_store_apply_people (f->store, second, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 2);
  g_clear_pointer (&row, g_free);
  row = row_of (f->store, AWA);
  g_assert_cmpstr (row, ==, "Awa Koné Traoré|female|facilitator|active=1|pin=1|one_time=1");
  g_assert_cmpint (pin_state (f->store, AWA), ==, CLMRS_PIN_STATE_ONE_TIME);
  g_clear_pointer (&row, g_free);
  row = row_of (f->store, YAO);
  g_assert_cmpstr (row, ==, "Yao Kouassi|male|facilitator|active=1|pin=1|one_time=0");
  g_assert_true (clmrs_store_check_pin (f->store, YAO, "135790", &error));
  g_assert_false (clmrs_store_check_pin (f->store, YAO, "246810", &error));
  g_clear_error (&error);

  /* one bad entry: nothing of the list applied (Awa not disabled) */
  g_assert_false (clmrs_store_apply_people (f->store, bad, &changed, &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "people[1]"));
  g_clear_error (&error);
  g_clear_pointer (&row, g_free);
  row = row_of (f->store, AWA);
  g_assert_cmpstr (row, ==, "Awa Koné Traoré|female|facilitator|active=1|pin=1|one_time=1");

  /* disabled: inactive, nobody signs in as her */
  g_clear_pointer (&bad, json_array_unref);
  bad = people_of ("[{\"id\":\"" AWA "\",\"name\":\"Awa Koné Traoré\",\"sex\":\"female\","
                   "\"role\":\"facilitator\",\"one_time_pin_hash\":null,\"disabled\":true}]");
  g_assert_true (clmrs_store_apply_people (f->store, bad, &changed, &error));
  g_assert_no_error (error);
  g_clear_pointer (&row, g_free);
  row = row_of (f->store, AWA);
  g_assert_cmpstr (row, ==, "Awa Koné Traoré|female|facilitator|active=0|pin=1|one_time=1");
  g_assert_false (clmrs_store_check_pin (f->store, AWA, "246810", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
}

/* A person with no PIN chooses one: 6 digits at least, only once. */
static void
test_first_pin (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) people = people_of ("[{\"id\":\"" AWA "\",\"name\":\"Awa Koné\",\"sex\":\"female\","
                                           "\"role\":\"facilitator\",\"one_time_pin_hash\":null,\"disabled\":false}]");

  g_assert_true (clmrs_store_apply_people (f->store, people, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (clmrs_store_set_own_pin (f->store, AWA, NULL, "4821", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "6 to 12 digits"));
  g_clear_error (&error);
  g_assert_false (clmrs_store_set_own_pin (f->store, AWA, NULL, "48a193", &error));
  g_clear_error (&error);
  g_assert_cmpint (pin_state (f->store, AWA), ==, CLMRS_PIN_STATE_NONE);

  g_assert_true (clmrs_store_set_own_pin (f->store, AWA, NULL, "482193", &error));
  g_assert_no_error (error);
  g_assert_cmpint (pin_state (f->store, AWA), ==, CLMRS_PIN_STATE_SET);
  g_assert_true (clmrs_store_check_pin (f->store, AWA, "482193", &error));
  g_assert_no_error (error);

  /* chosen once: nobody at the device sets it again this way */
  g_assert_false (clmrs_store_set_own_pin (f->store, AWA, NULL, "111111", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (clmrs_store_check_pin (f->store, AWA, "482193", &error));
}

/* The one-time PIN signs in, then the person must choose their own
 * (another one); the one-time PIN no longer works after. */
static void
test_one_time_pin (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = clmrs_pin_hash ("246810", &error);
  g_autofree char *json = g_strdup_printf ("[{\"id\":\"" AWA "\",\"name\":\"Awa Koné\",\"sex\":\"female\","
                                           "\"role\":\"facilitator\",\"one_time_pin_hash\":\"%s\","
                                           "\"disabled\":false}]", hash);
  g_autoptr(JsonArray) people = people_of (json);

  g_assert_true (clmrs_store_apply_people (f->store, people, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pin_state (f->store, AWA), ==, CLMRS_PIN_STATE_ONE_TIME);
  g_assert_true (clmrs_store_check_pin (f->store, AWA, "246810", &error));
  g_assert_no_error (error);

  g_assert_false (clmrs_store_set_own_pin (f->store, AWA, "000000", "482193", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN);
  g_clear_error (&error);
  g_assert_false (clmrs_store_set_own_pin (f->store, AWA, NULL, "482193", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN);
  g_clear_error (&error);
  g_assert_false (clmrs_store_set_own_pin (f->store, AWA, "246810", "246810", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (clmrs_store_set_own_pin (f->store, AWA, "246810", "482193", &error));
  g_assert_no_error (error);
  g_assert_cmpint (pin_state (f->store, AWA), ==, CLMRS_PIN_STATE_SET);
  g_assert_false (clmrs_store_check_pin (f->store, AWA, "246810", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN);
  g_clear_error (&error);
  g_assert_true (clmrs_store_check_pin (f->store, AWA, "482193", &error));

  /* the server still lists the one-time hash: the own PIN stays */
  g_assert_true (clmrs_store_apply_people (f->store, people, NULL, &error));
  g_assert_true (clmrs_store_check_pin (f->store, AWA, "482193", &error));
  g_assert_no_error (error);
}

/* A 4-digit PIN hashed before the 6-digit rule still signs its person
 * in; a new 4-digit PIN is refused. */
static void
test_old_short_pin (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;

  g_assert_true (clmrs_store_add_facilitator (f->store, AWA, "Awa Koné", "female", "facilitator", NULL, &error));
  g_assert_no_error (error);
  stmt = clmrs_store_prepare (f->store, "UPDATE facilitators SET pin_hash = '" LEGACY_4821 "'", &error);
  g_assert_true (clmrs_store_step_done (f->store, stmt, &error));
  g_assert_true (clmrs_store_check_pin (f->store, AWA, "4821", &error));
  g_assert_no_error (error);
  g_assert_false (clmrs_store_check_pin (f->store, AWA, "4822", &error));
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_PIN);
  g_clear_error (&error);
  g_assert_cmpint (pin_state (f->store, AWA), ==, CLMRS_PIN_STATE_SET);
  g_assert_null (clmrs_pin_hash ("4821", &error));
  g_assert_nonnull (strstr (error->message, "6 to 12 digits"));
}

/* What a device declares at enrolment: its active people. */
static void
test_list_people_json (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_assert_true (clmrs_store_add_facilitator (f->store, AWA, "Awa Koné", "female", "facilitator", "482193", &error));
  g_assert_true (clmrs_store_add_facilitator (f->store, YAO, "Yao Kouassi", "male", "supervisor", "135790", &error));
  g_assert_no_error (error);
  node = clmrs_store_list_people_json (f->store, &error);
  g_assert_no_error (error);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==, "[{\"id\":\"" AWA "\",\"name\":\"Awa Koné\",\"sex\":\"female\",\"role\":\"facilitator\"},"
                             "{\"id\":\"" YAO "\",\"name\":\"Yao Kouassi\",\"sex\":\"male\",\"role\":\"supervisor\"}]");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store-people/apply-server-people", test_apply_people);
  ADD ("/store-people/first-pin-chosen-once", test_first_pin);
  ADD ("/store-people/one-time-pin-then-own", test_one_time_pin);
  ADD ("/store-people/old-4-digit-pin-still-signs-in", test_old_short_pin);
  ADD ("/store-people/declared-at-enrolment", test_list_people_json);
  return g_test_run ();
}
