/* test-people.c: the people who can sign in, from the store and from an encrypted device's keyring. */
#include "device.h"
#include "people.h"
#include "store-test-helpers.h"
#include "util.h"

typedef struct {
  TestStore  t;
  char      *ama;      /* facilitator, PIN set */
  char      *kofi;     /* facilitator, no PIN yet */
  char      *esi;      /* supervisor */
  char      *yaw;      /* facilitator, no longer active */
} Fixture;

static void
add (Fixture    *f,
     char      **id,
     const char *name,
     const char *role,
     const char *pin)
{
  g_autoptr(GError) error = NULL;

  *id = clmrs_uuid_new ();
  g_assert_true (clmrs_store_add_facilitator (f->t.store, *id, name, "female", role, pin, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  test_store_open (&f->t, "people");
  add (f, &f->esi, "Esi Mensah", "supervisor", "482193");
  add (f, &f->kofi, "kofi Owusu", "facilitator", NULL);
  add (f, &f->ama, "Ama Boateng", "facilitator", "551234");
  add (f, &f->yaw, "Yaw Asante", "facilitator", "771234");
  sql = g_strdup_printf ("UPDATE facilitators SET active = 0 WHERE id = '%s'", f->yaw);
  g_assert_true (clmrs_store_exec (f->t.store, sql, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  test_store_close (&f->t);
  g_free (f->ama);
  g_free (f->kofi);
  g_free (f->esi);
  g_free (f->yaw);
}

/* The active people, facilitators first and by name whatever its case,
 * each with their PIN state. */
static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) people = clmrs_people_list (f->t.store, &error);
  ClmrsPerson *p;

  g_assert_no_error (error);
  g_assert_cmpuint (people->len, ==, 3);
  p = g_ptr_array_index (people, 0);
  g_assert_cmpstr (p->id, ==, f->ama);
  g_assert_cmpstr (p->name, ==, "Ama Boateng");
  g_assert_false (p->supervisor);
  g_assert_cmpint (p->pin_state, ==, CLMRS_PIN_STATE_SET);
  g_assert_false (p->from_keyring);
  p = g_ptr_array_index (people, 1);
  g_assert_cmpstr (p->id, ==, f->kofi);
  g_assert_cmpint (p->pin_state, ==, CLMRS_PIN_STATE_NONE);
  p = g_ptr_array_index (people, 2);
  g_assert_cmpstr (p->id, ==, f->esi);
  g_assert_true (p->supervisor);
  g_assert_cmpstr (p->sex, ==, "female");
}

/* One person by id, active or not; an unknown id is not found; a read
 * that fails is an error, not an unknown person nor an empty list. */
static void
test_lookup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsPerson) esi = clmrs_people_lookup (f->t.store, f->esi, &error);
  g_autoptr(ClmrsPerson) yaw = NULL;
  g_autoptr(ClmrsPerson) nobody = NULL;
  g_autoptr(GPtrArray) people = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (esi->name, ==, "Esi Mensah");
  g_assert_true (esi->supervisor);
  yaw = clmrs_people_lookup (f->t.store, f->yaw, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yaw->name, ==, "Yaw Asante");

  nobody = clmrs_people_lookup (f->t.store, "no-such-person", &error);
  g_assert_null (nobody);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  test_store_fail_statements (f->t.store, "");
  nobody = clmrs_people_lookup (f->t.store, f->esi, &error);
  g_assert_null (nobody);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_clear_error (&error);
  people = clmrs_people_list (f->t.store, &error);
  g_assert_null (people);
  g_assert_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE);
  g_assert_nonnull (strstr (error->message, "listing the people"));
  test_store_fail_statements (f->t.store, NULL);
}

/* Before an encrypted device is open, its keyring lists who can sign
 * in, in the order they were added; a device without one says so. */
static void
test_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-people-keyring-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "device.db", NULL);
  g_autoptr(ClmrsDataKey) key = NULL;
  g_autoptr(GPtrArray) people = NULL;
  ClmrsDevicePerson entries[] = { { "P-2", "Kwame Nkrumah", "48219377" }, { "P-1", "Abena Ofori", "55123499" } };
  ClmrsStore *store;
  ClmrsPerson *p;

  g_assert_no_error (error);
  people = clmrs_people_list_keyring (path, &error);
  g_assert_null (people);
  g_assert_nonnull (error);
  g_clear_error (&error);

  store = clmrs_device_create (path, &key, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_device_write_keyring (path, key, NULL, entries, G_N_ELEMENTS (entries), &error));
  g_assert_no_error (error);
  clmrs_store_close (store);
  clmrs_device_sign_out (path);

  people = clmrs_people_list_keyring (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (people->len, ==, 2);
  p = g_ptr_array_index (people, 0);
  g_assert_cmpstr (p->id, ==, "P-2");
  g_assert_cmpstr (p->name, ==, "Kwame Nkrumah");
  g_assert_true (p->from_keyring);
  g_assert_cmpint (p->pin_state, ==, CLMRS_PIN_STATE_SET);
  g_assert_cmpuint (p->failures, ==, 0);
  g_assert_false (p->erased);
  g_assert_cmpstr (((ClmrsPerson *) g_ptr_array_index (people, 1))->id, ==, "P-1");

  clmrs_device_remove_files (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/people/list", Fixture, NULL, fixture_set_up, test_list, fixture_tear_down);
  g_test_add ("/people/lookup", Fixture, NULL, fixture_set_up, test_lookup, fixture_tear_down);
  g_test_add_func ("/people/keyring", test_keyring);
  return g_test_run ();
}
