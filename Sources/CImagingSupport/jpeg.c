// JPEG through libjpeg(-turbo). libjpeg's default error_exit ends the process
// and its default output_message writes to stderr, so both are replaced: the
// error hook records the message and jumps back to a setjmp taken in the same
// function that called into the library. Input comes from a source manager
// that treats running out of data as an error (libjpeg's own memory source
// would pad with a fake EOI and return a partly grey picture).

#include "internal.h"

#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct tis_jpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr errors;
    struct jpeg_source_mgr source;
    jmp_buf jump;
    size_t length;
    int created;
    int truncated;
    int cmyk;
    tis_message *message;
};

// The decoder and the encoder each keep this pair in client_data, so that
// one error hook serves both.
struct jump_target {
    jmp_buf *jump;
    tis_message *message;
};

static void record_and_jump(j_common_ptr cinfo) {
    struct jump_target *target = cinfo->client_data;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    tis_set_message(target->message, "%s", text);
    longjmp(*target->jump, 1);
}

static void say_nothing(j_common_ptr cinfo) {
    (void)cinfo;
}

static void source_init(j_decompress_ptr cinfo) {
    (void)cinfo;
}

static void ran_out(j_decompress_ptr cinfo) {
    struct tis_jpeg_decoder *decoder = (struct tis_jpeg_decoder *)cinfo;
    decoder->truncated = 1;
    tis_set_message(decoder->message, "JPEG data truncated after %zu bytes", decoder->length);
    longjmp(decoder->jump, 1);
}

static boolean source_fill(j_decompress_ptr cinfo) {
    // All the data was handed over at the start; being asked for more means
    // the file ended early.
    ran_out(cinfo);
    return FALSE;
}

static void source_skip(j_decompress_ptr cinfo, long count) {
    if (count <= 0) {
        return;
    }
    struct jpeg_source_mgr *source = cinfo->src;
    if ((unsigned long)count > source->bytes_in_buffer) {
        ran_out(cinfo);
    }
    source->next_input_byte += count;
    source->bytes_in_buffer -= (size_t)count;
}

static void source_term(j_decompress_ptr cinfo) {
    (void)cinfo;
}

struct decoder_box {
    struct tis_jpeg_decoder decoder; // first, so a cinfo pointer is a decoder pointer
    struct jump_target target;
};

void tis_jpeg_destroy(tis_jpeg_decoder *decoder) {
    if (decoder == NULL) {
        return;
    }
    if (decoder->created) {
        jpeg_destroy_decompress(&decoder->cinfo);
    }
    free(decoder); // the decoder is the first member of its decoder_box
}

tis_status tis_jpeg_begin(const uint8_t *data, size_t length, uint64_t max_pixels,
                          tis_jpeg_decoder **result, uint32_t *width, uint32_t *height,
                          tis_message *message) {
    *result = NULL;
    if ((length >= 1 && data[0] != 0xFF) || (length >= 2 && data[1] != 0xD8)) {
        tis_set_message(message, "not a JPEG file: it does not start with the SOI marker FF D8");
        return TIS_NOT_THIS_FORMAT;
    }
    if (length < 2) {
        tis_set_message(message, "JPEG data truncated after %zu bytes", length);
        return TIS_TRUNCATED;
    }

    struct decoder_box *box = calloc(1, sizeof *box);
    if (box == NULL) {
        tis_set_message(message, "out of memory");
        return TIS_NO_MEMORY;
    }
    struct tis_jpeg_decoder *decoder = &box->decoder;
    decoder->length = length;
    decoder->message = message;
    box->target.jump = &decoder->jump;
    box->target.message = message;

    decoder->cinfo.err = jpeg_std_error(&decoder->errors);
    decoder->errors.error_exit = record_and_jump;
    decoder->errors.output_message = say_nothing;

    if (setjmp(decoder->jump)) {
        tis_status status = decoder->truncated ? TIS_TRUNCATED : TIS_MALFORMED;
        tis_jpeg_destroy(decoder);
        return status;
    }

    // jpeg_create_decompress keeps err and client_data, and may already fail.
    decoder->cinfo.client_data = &box->target;
    jpeg_create_decompress(&decoder->cinfo);
    decoder->created = 1;

    decoder->source.next_input_byte = data;
    decoder->source.bytes_in_buffer = length;
    decoder->source.init_source = source_init;
    decoder->source.fill_input_buffer = source_fill;
    decoder->source.skip_input_data = source_skip;
    decoder->source.resync_to_restart = jpeg_resync_to_restart;
    decoder->source.term_source = source_term;
    decoder->cinfo.src = &decoder->source;

    (void)jpeg_read_header(&decoder->cinfo, TRUE);

    uint64_t w = decoder->cinfo.image_width, h = decoder->cinfo.image_height;
    if (w * h > max_pixels) {
        tis_set_message(message, "%llux%llu", (unsigned long long)w, (unsigned long long)h);
        *width = (uint32_t)w;
        *height = (uint32_t)h;
        tis_jpeg_destroy(decoder);
        return TIS_TOO_LARGE;
    }

    switch (decoder->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        decoder->cinfo.out_color_space = JCS_EXT_RGBA;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        decoder->cinfo.out_color_space = JCS_CMYK;
        decoder->cmyk = 1;
        break;
    default:
        tis_set_message(message, "unsupported JPEG colour space with %d components",
                        decoder->cinfo.num_components);
        tis_jpeg_destroy(decoder);
        return TIS_UNSUPPORTED;
    }

    (void)jpeg_start_decompress(&decoder->cinfo);
    if (decoder->cinfo.output_components != 4 || decoder->cinfo.output_width != w ||
        decoder->cinfo.output_height != h) {
        tis_set_message(message, "libjpeg did not produce 4 components at full size");
        tis_jpeg_destroy(decoder);
        return TIS_UNSUPPORTED;
    }
    *width = (uint32_t)w;
    *height = (uint32_t)h;
    *result = decoder;
    return TIS_OK;
}

static inline uint8_t muldiv255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return (uint8_t)(((t >> 8) + t) >> 8);
}

// CMYK as stored by Adobe applications (inverted: 255 means no ink), which is
// what nearly every CMYK JPEG holds; converted in place to RGBA.
static void cmyk_to_rgba(uint8_t *row, uint32_t width) {
    for (uint32_t x = 0; x < width; x++, row += 4) {
        unsigned c = 255u - row[0], m = 255u - row[1], y = 255u - row[2], k = 255u - row[3];
        unsigned nk = 255u - k;
        row[0] = (uint8_t)(nk - muldiv255(c, nk));
        row[1] = (uint8_t)(nk - muldiv255(m, nk));
        row[2] = (uint8_t)(nk - muldiv255(y, nk));
        row[3] = 255;
    }
}

tis_status tis_jpeg_finish(tis_jpeg_decoder *decoder, uint8_t *pixels, size_t stride, tis_message *message) {
    struct decoder_box *box = (struct decoder_box *)decoder;
    decoder->message = message;
    box->target.message = message;
    if (stride < (size_t)decoder->cinfo.output_width * 4) {
        tis_set_message(message, "row stride %zu is less than width %u times 4", stride,
                        (unsigned)decoder->cinfo.output_width);
        return TIS_UNSUPPORTED;
    }
    if (setjmp(decoder->jump)) {
        return decoder->truncated ? TIS_TRUNCATED : TIS_MALFORMED;
    }
    while (decoder->cinfo.output_scanline < decoder->cinfo.output_height) {
        JSAMPROW rows[8];
        JDIMENSION first = decoder->cinfo.output_scanline;
        JDIMENSION count = decoder->cinfo.output_height - first;
        if (count > 8) {
            count = 8;
        }
        for (JDIMENSION i = 0; i < count; i++) {
            rows[i] = pixels + (size_t)(first + i) * stride;
        }
        JDIMENSION done = jpeg_read_scanlines(&decoder->cinfo, rows, count);
        if (decoder->cmyk) {
            for (JDIMENSION i = 0; i < done; i++) {
                cmyk_to_rgba(rows[i], decoder->cinfo.output_width);
            }
        }
        if (done == 0) {
            tis_set_message(message, "libjpeg returned no scanlines");
            return TIS_MALFORMED;
        }
    }
    (void)jpeg_finish_decompress(&decoder->cinfo);
    return TIS_OK;
}

// MARK: encoding

struct encoder_box {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr errors;
    struct jpeg_destination_mgr destination;
    struct jump_target target;
    jmp_buf jump;
    tis_buffer *output;
    int out_of_memory;
};

static void destination_init(j_compress_ptr cinfo) {
    struct encoder_box *box = (struct encoder_box *)cinfo;
    if (!tis_buffer_reserve(box->output, 65536)) {
        box->out_of_memory = 1;
        tis_set_message(box->target.message, "out of memory");
        longjmp(box->jump, 1);
    }
    box->destination.next_output_byte = box->output->bytes;
    box->destination.free_in_buffer = box->output->capacity;
}

static boolean destination_empty(j_compress_ptr cinfo) {
    // libjpeg calls this when the whole buffer is full.
    struct encoder_box *box = (struct encoder_box *)cinfo;
    box->output->count = box->output->capacity;
    if (!tis_buffer_reserve(box->output, box->output->capacity)) {
        box->out_of_memory = 1;
        tis_set_message(box->target.message, "out of memory");
        longjmp(box->jump, 1);
    }
    box->destination.next_output_byte = box->output->bytes + box->output->count;
    box->destination.free_in_buffer = box->output->capacity - box->output->count;
    return TRUE;
}

static void destination_term(j_compress_ptr cinfo) {
    struct encoder_box *box = (struct encoder_box *)cinfo;
    box->output->count = box->output->capacity - box->destination.free_in_buffer;
}

tis_status tis_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                           int quality, int full_chroma, tis_buffer *output, tis_message *message) {
    output->bytes = NULL;
    output->count = 0;
    output->capacity = 0;
    if (stride < (size_t)width * 4) {
        tis_set_message(message, "row stride %zu is less than width %u times 4", stride, (unsigned)width);
        return TIS_UNSUPPORTED;
    }
    struct encoder_box *box = calloc(1, sizeof *box);
    if (box == NULL) {
        tis_set_message(message, "out of memory");
        return TIS_NO_MEMORY;
    }
    box->output = output;
    box->target.jump = &box->jump;
    box->target.message = message;
    box->cinfo.err = jpeg_std_error(&box->errors);
    box->errors.error_exit = record_and_jump;
    box->errors.output_message = say_nothing;

    if (setjmp(box->jump)) {
        tis_status status = box->out_of_memory ? TIS_NO_MEMORY : TIS_MALFORMED;
        jpeg_destroy_compress(&box->cinfo);
        free(box);
        tis_buffer_free(output);
        return status;
    }
    box->cinfo.client_data = &box->target;
    jpeg_create_compress(&box->cinfo);

    box->destination.init_destination = destination_init;
    box->destination.empty_output_buffer = destination_empty;
    box->destination.term_destination = destination_term;
    box->cinfo.dest = &box->destination;

    box->cinfo.image_width = width;
    box->cinfo.image_height = height;
    box->cinfo.input_components = 4;
    box->cinfo.in_color_space = JCS_EXT_RGBA;
    jpeg_set_defaults(&box->cinfo);
    jpeg_set_quality(&box->cinfo, quality, TRUE);
    if (full_chroma) {
        box->cinfo.comp_info[0].h_samp_factor = 1;
        box->cinfo.comp_info[0].v_samp_factor = 1;
    }
    jpeg_start_compress(&box->cinfo, TRUE);
    while (box->cinfo.next_scanline < box->cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)box->cinfo.next_scanline * stride);
        (void)jpeg_write_scanlines(&box->cinfo, &row, 1);
    }
    jpeg_finish_compress(&box->cinfo);
    jpeg_destroy_compress(&box->cinfo);
    free(box);
    return TIS_OK;
}
