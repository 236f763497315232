// Thin C layer over libpng and libjpeg-turbo for the Imaging module.
//
// Both libraries report fatal errors by longjmp (libpng) or by calling an
// error_exit hook whose default ends the process (libjpeg). Swift cannot call
// setjmp, so every call into either library happens inside the functions
// below, each of which sets its own jump point and turns a failure into a
// status code plus a message. Nothing here prints.
//
// Decoding is two-phase so that Swift owns the pixel buffer: *_begin reads the
// header and reports the size, Swift allocates, *_finish writes RGBA8 rows
// into that buffer, and *_destroy releases the decoder whatever happened.

#ifndef TETHER_IMAGING_SUPPORT_H
#define TETHER_IMAGING_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a call. The message buffer says more for every value but OK.
typedef enum {
    TIS_OK = 0,
    /// The data ended before the image did.
    TIS_TRUNCATED = 1,
    /// The data does not start with the format's signature.
    TIS_NOT_THIS_FORMAT = 2,
    /// The library rejected the data (the message is the library's).
    TIS_MALFORMED = 3,
    /// Width times height is over the caller's limit.
    TIS_TOO_LARGE = 4,
    /// An allocation failed.
    TIS_NO_MEMORY = 5,
    /// The data is valid but uses something this layer does not decode.
    TIS_UNSUPPORTED = 6,
} tis_status;

enum { TIS_MESSAGE_CAPACITY = 256 };

typedef struct {
    char text[TIS_MESSAGE_CAPACITY];
} tis_message;

/// A buffer allocated by this layer; release it with tis_buffer_free.
typedef struct {
    uint8_t *bytes;
    size_t count;
    size_t capacity;
} tis_buffer;

void tis_buffer_free(tis_buffer *buffer);

// MARK: PNG

typedef struct tis_png_decoder tis_png_decoder;

/// Reads the signature and the header chunks. On TIS_OK, *decoder is set and
/// must be released with tis_png_destroy; width and height are the image's.
tis_status tis_png_begin(const uint8_t *data, size_t length, uint64_t max_pixels,
                         tis_png_decoder **decoder, uint32_t *width, uint32_t *height,
                         tis_message *message);

/// Decodes every row as RGBA8 into pixels (height rows of stride bytes, stride
/// at least width * 4) and reads up to IEND.
tis_status tis_png_finish(tis_png_decoder *decoder, uint8_t *pixels, size_t stride,
                          tis_message *message);

void tis_png_destroy(tis_png_decoder *decoder);

/// Encodes RGBA8 rows. With drop_alpha the file is RGB (colour type 2) and
/// the fourth byte of each pixel is ignored. level is zlib's 0...9.
tis_status tis_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                          int drop_alpha, int level, tis_buffer *output, tis_message *message);

// MARK: JPEG

typedef struct tis_jpeg_decoder tis_jpeg_decoder;

/// Reads the markers up to the first scan and starts decompression.
tis_status tis_jpeg_begin(const uint8_t *data, size_t length, uint64_t max_pixels,
                          tis_jpeg_decoder **decoder, uint32_t *width, uint32_t *height,
                          tis_message *message);

/// Decodes every scanline as RGBA8 (alpha 255) and reads up to EOI.
tis_status tis_jpeg_finish(tis_jpeg_decoder *decoder, uint8_t *pixels, size_t stride,
                           tis_message *message);

void tis_jpeg_destroy(tis_jpeg_decoder *decoder);

/// Encodes RGBA8 rows as a baseline YCbCr JPEG (alpha ignored).
/// quality is 1...100; full_chroma 0 subsamples chroma 4:2:0, nonzero keeps 4:4:4.
tis_status tis_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                           int quality, int full_chroma, tis_buffer *output, tis_message *message);

#ifdef __cplusplus
}
#endif

#endif
