/* pin.h: PINs stored as salted slow hashes (PBKDF2-HMAC-SHA256, libgcrypt). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterations for new hashes: about 0.1 s on the handheld's CPU. */
#define CLMRS_PIN_ITERATIONS 60000

/* Digits of a PIN a person chooses now; a stored hash of a shorter PIN
 * (4 digits, set before) still signs them in. */
#define CLMRS_PIN_MIN_DIGITS 6
#define CLMRS_PIN_MAX_DIGITS 12

GQuark    clmrs_pin_error_quark (void);

char     *clmrs_pin_hash   (const char *pin,
                            GError    **error);
gboolean  clmrs_pin_verify (const char *pin,
                            const char *stored);
gboolean  clmrs_pin_is_acceptable (const char *pin,
                                   GError    **error);

G_END_DECLS
