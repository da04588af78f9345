/* pin.c: PINs stored as salted slow hashes (PBKDF2-HMAC-SHA256, libgcrypt). */
#define G_LOG_DOMAIN "clmrs-pin"

#include "pin.h"

#include <gcrypt.h>
#include <string.h>

#define SALT_BYTES 16
#define KEY_BYTES 32

G_DEFINE_QUARK (clmrs-pin-error-quark, clmrs_pin_error)

static gboolean
ensure_gcrypt (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      gcry_check_version (NULL);
      gcry_control (GCRYCTL_DISABLE_SECMEM, 0);
      gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);
      g_once_init_leave (&once, 1);
    }
  return TRUE;
}

static gboolean
derive (const char *pin,
        const guchar *salt,
        gsize salt_len,
        gulong iterations,
        guchar *out)
{
  ensure_gcrypt ();
  return gcry_kdf_derive (pin, strlen (pin), GCRY_KDF_PBKDF2, GCRY_MD_SHA256,
                          salt, salt_len, iterations, KEY_BYTES, out) == 0;
}

/* A PIN chosen now has 6 to 12 digits (CLMRS_PIN_MIN_DIGITS): four
 * digits fall to a few hundred tries.  Hashes of shorter PINs set before
 * still verify (clmrs_pin_verify() reads no length). */
gboolean
clmrs_pin_is_acceptable (const char  *pin,
                         GError     **error)
{
  gsize len = pin ? strlen (pin) : 0;

  if (len < CLMRS_PIN_MIN_DIGITS || len > CLMRS_PIN_MAX_DIGITS)
    {
      g_set_error (error, clmrs_pin_error_quark (), 0,
                   "a PIN has %d to %d digits, this one has %zu characters",
                   CLMRS_PIN_MIN_DIGITS, CLMRS_PIN_MAX_DIGITS, len);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      {
        g_set_error_literal (error, clmrs_pin_error_quark (), 0,
                             "a PIN has digits only");
        return FALSE;
      }
  return TRUE;
}

/**
 * clmrs_pin_hash:
 *
 * Returns: (transfer full): "pbkdf2-sha256$ITER$SALT$KEY" (base64), with a
 * fresh random salt, or %NULL if @pin is not acceptable.
 */
char *
clmrs_pin_hash (const char  *pin,
                GError     **error)
{
  guchar salt[SALT_BYTES];
  guchar key[KEY_BYTES];
  g_autofree char *salt64 = NULL;
  g_autofree char *key64 = NULL;

  if (!clmrs_pin_is_acceptable (pin, error))
    return NULL;
  ensure_gcrypt ();
  gcry_randomize (salt, sizeof salt, GCRY_STRONG_RANDOM);
  if (!derive (pin, salt, sizeof salt, CLMRS_PIN_ITERATIONS, key))
    {
      g_set_error_literal (error, clmrs_pin_error_quark (), 1, "key derivation failed");
      return NULL;
    }
  salt64 = g_base64_encode (salt, sizeof salt);
  key64 = g_base64_encode (key, sizeof key);
  memset (key, 0, sizeof key);
  return g_strdup_printf ("pbkdf2-sha256$%d$%s$%s", CLMRS_PIN_ITERATIONS, salt64, key64);
}

/* TRUE when @pin matches @stored; compares in constant time. */
gboolean
clmrs_pin_verify (const char *pin,
                  const char *stored)
{
  g_auto(GStrv) parts = NULL;
  g_autofree guchar *salt = NULL;
  g_autofree guchar *expected = NULL;
  gsize salt_len = 0, expected_len = 0;
  guchar key[KEY_BYTES];
  guint64 iterations;
  guchar diff = 0;

  if (pin == NULL || stored == NULL)
    return FALSE;
  parts = g_strsplit (stored, "$", -1);
  if (g_strv_length (parts) != 4 || !g_str_equal (parts[0], "pbkdf2-sha256"))
    return FALSE;
  iterations = g_ascii_strtoull (parts[1], NULL, 10);
  if (iterations < 1000 || iterations > 10000000)
    return FALSE;
  salt = g_base64_decode (parts[2], &salt_len);
  expected = g_base64_decode (parts[3], &expected_len);
  if (expected_len != KEY_BYTES || salt_len == 0)
    return FALSE;
  if (!derive (pin, salt, salt_len, iterations, key))
    return FALSE;
  for (gsize i = 0; i < KEY_BYTES; i++)
    diff |= key[i] ^ expected[i];
  memset (key, 0, sizeof key);
  return diff == 0;
}
