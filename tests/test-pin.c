/* test-pin.c: the PIN policy and the stored PIN hashes. */
#include "pin.h"

#include <string.h>

/* A chosen PIN has 6 to 12 digits and nothing else; the error says why. */
static void
test_acceptable (void)
{
  static const char *const good[] = { "482193", "000000", "123456789012" };
  static const struct { const char *pin; const char *says; } bad[] = {
    { NULL, "0 characters" },
    { "", "0 characters" },
    { "48219", "5 characters" },
    { "1234567890123", "13 characters" },
    { "48219a", "digits only" },
    { "482 193", "digits only" },
    { "４８２１９３", "characters" },   /* full-width digits: not ASCII */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (clmrs_pin_is_acceptable (good[i], &error));
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (clmrs_pin_is_acceptable (bad[i].pin, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, bad[i].says));
    }
}

/* A hash verifies its PIN and no other; two hashes of one PIN differ
 * (salted); an unacceptable PIN is not hashed. */
static void
test_hash_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = clmrs_pin_hash ("482193", &error);
  g_autofree char *again = NULL;
  g_autofree char *iterations = g_strdup_printf ("pbkdf2-sha256$%d$", CLMRS_PIN_ITERATIONS);
  g_auto(GStrv) parts = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, iterations));
  parts = g_strsplit (hash, "$", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);
  g_assert_true (clmrs_pin_verify ("482193", hash));
  g_assert_false (clmrs_pin_verify ("482194", hash));
  g_assert_false (clmrs_pin_verify ("", hash));
  g_assert_false (clmrs_pin_verify (NULL, hash));
  g_assert_false (clmrs_pin_verify ("482193", NULL));

  again = clmrs_pin_hash ("482193", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, !=, hash);
  g_assert_true (clmrs_pin_verify ("482193", again));

  g_assert_null (clmrs_pin_hash ("1234", &error));
  g_assert_nonnull (error);
}

/* A 4-digit PIN hashed before the policy still verifies: its stored
 * form is read whatever the PIN's length. */
static void
test_old_short_pin (void)
{
  /* PBKDF2-HMAC-SHA256 of "1234", salt "clmrs-test-salt!", 1000 iterations */
  static const char stored[] =
    "pbkdf2-sha256$1000$Y2xtcnMtdGVzdC1zYWx0IQ==$JIJ+HpL7R0HLDxr5BfGrJHbjNkBYfXHNauW9GYnHROs=";

  g_assert_true (clmrs_pin_verify ("1234", stored));
  g_assert_false (clmrs_pin_verify ("1235", stored));
}

/* Stored text that is not a hash of ours never verifies. */
static void
test_malformed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = clmrs_pin_hash ("482193", &error);
  g_auto(GStrv) parts = g_strsplit (hash, "$", -1);
  g_autofree char *few = g_strdup_printf ("pbkdf2-sha256$10$%s$%s", parts[2], parts[3]);
  g_autofree char *many = g_strdup_printf ("pbkdf2-sha256$20000000$%s$%s", parts[2], parts[3]);
  g_autofree char *other = g_strdup_printf ("scrypt$%s$%s$%s", parts[1], parts[2], parts[3]);
  g_autofree char *short_key = g_strdup_printf ("pbkdf2-sha256$%s$%s$AAAA", parts[1], parts[2]);
  const char *const broken[] = { "", "482193", few, many, other, short_key, "pbkdf2-sha256$60000$$" };

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (broken); i++)
    g_assert_false (clmrs_pin_verify ("482193", broken[i]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pin/acceptable", test_acceptable);
  g_test_add_func ("/pin/hash-verify", test_hash_verify);
  g_test_add_func ("/pin/old-short-pin", test_old_short_pin);
  g_test_add_func ("/pin/malformed", test_malformed);
  return g_test_run ();
}
