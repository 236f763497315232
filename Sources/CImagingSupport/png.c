// PNG through libpng 1.6. Every libpng call below runs under a setjmp set in
// the same function; the error hook records libpng's message and jumps back.

#include "internal.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct tis_png_decoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t length;
    size_t offset;
    int truncated;
    uint32_t width;
    uint32_t height;
    png_bytep *rows;
    tis_message *message;
};

static void decoder_error(png_structp png, png_const_charp text) {
    struct tis_png_decoder *decoder = png_get_error_ptr(png);
    if (decoder->truncated) {
        tis_set_message(decoder->message, "PNG data truncated after %zu bytes", decoder->length);
    } else {
        tis_set_message(decoder->message, "%s", text);
    }
    png_longjmp(png, 1);
}

static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void read_bytes(png_structp png, png_bytep into, size_t count) {
    struct tis_png_decoder *decoder = png_get_io_ptr(png);
    if (count > decoder->length - decoder->offset) {
        decoder->truncated = 1;
        png_error(png, "truncated");
    }
    memcpy(into, decoder->data + decoder->offset, count);
    decoder->offset += count;
}

void tis_png_destroy(tis_png_decoder *decoder) {
    if (decoder == NULL) {
        return;
    }
    if (decoder->png != NULL) {
        png_destroy_read_struct(&decoder->png, decoder->info != NULL ? &decoder->info : NULL, NULL);
    }
    free(decoder->rows);
    free(decoder);
}

tis_status tis_png_begin(const uint8_t *data, size_t length, uint64_t max_pixels,
                         tis_png_decoder **result, uint32_t *width, uint32_t *height,
                         tis_message *message) {
    *result = NULL;
    size_t checked = length < 8 ? length : 8;
    if (checked > 0 && png_sig_cmp(data, 0, checked) != 0) {
        tis_set_message(message, "not a PNG file: the first bytes are not the PNG signature");
        return TIS_NOT_THIS_FORMAT;
    }
    if (length < 8) {
        tis_set_message(message, "PNG data truncated after %zu bytes", length);
        return TIS_TRUNCATED;
    }

    tis_png_decoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) {
        tis_set_message(message, "out of memory");
        return TIS_NO_MEMORY;
    }
    decoder->data = data;
    decoder->length = length;
    decoder->message = message;
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder, decoder_error, ignore_warning);
    if (decoder->png != NULL) {
        decoder->info = png_create_info_struct(decoder->png);
    }
    if (decoder->png == NULL || decoder->info == NULL) {
        tis_png_destroy(decoder);
        tis_set_message(message, "out of memory");
        return TIS_NO_MEMORY;
    }

    if (setjmp(png_jmpbuf(decoder->png))) {
        tis_status status = decoder->truncated ? TIS_TRUNCATED : TIS_MALFORMED;
        tis_png_destroy(decoder);
        return status;
    }

    png_set_read_fn(decoder->png, decoder, read_bytes);
    png_read_info(decoder->png, decoder->info);

    png_uint_32 w = 0, h = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(decoder->png, decoder->info, &w, &h, &bit_depth, &color_type, &interlace, NULL, NULL);
    if ((uint64_t)w * (uint64_t)h > max_pixels) {
        tis_set_message(message, "%ux%u", (unsigned)w, (unsigned)h);
        *width = w;
        *height = h;
        tis_png_destroy(decoder);
        return TIS_TOO_LARGE;
    }

    // Whatever the file holds, ask libpng for 8-bit RGBA: palettes and low
    // bit depths expand, tRNS becomes alpha, 16-bit keeps its high byte,
    // grey becomes RGB, and a missing alpha channel is filled with 255.
    int has_trns = png_get_valid(decoder->png, decoder->info, PNG_INFO_tRNS) != 0;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(decoder->png);
    }
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) {
        png_set_expand_gray_1_2_4_to_8(decoder->png);
    }
    if (has_trns) {
        png_set_tRNS_to_alpha(decoder->png);
    }
    if (bit_depth == 16) {
        png_set_strip_16(decoder->png);
    }
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
        png_set_gray_to_rgb(decoder->png);
    }
    if ((color_type & PNG_COLOR_MASK_ALPHA) == 0 && !has_trns) {
        png_set_filler(decoder->png, 0xFF, PNG_FILLER_AFTER);
    }
    (void)png_set_interlace_handling(decoder->png);
    png_read_update_info(decoder->png, decoder->info);

    if (png_get_rowbytes(decoder->png, decoder->info) != (size_t)w * 4) {
        tis_set_message(message, "colour type %d at bit depth %d did not convert to RGBA8", color_type, bit_depth);
        tis_png_destroy(decoder);
        return TIS_UNSUPPORTED;
    }

    decoder->width = w;
    decoder->height = h;
    *width = w;
    *height = h;
    *result = decoder;
    return TIS_OK;
}

tis_status tis_png_finish(tis_png_decoder *decoder, uint8_t *pixels, size_t stride, tis_message *message) {
    decoder->message = message;
    if (stride < (size_t)decoder->width * 4) {
        tis_set_message(message, "row stride %zu is less than width %u times 4", stride, (unsigned)decoder->width);
        return TIS_UNSUPPORTED;
    }
    decoder->rows = malloc(sizeof(png_bytep) * (decoder->height > 0 ? decoder->height : 1));
    if (decoder->rows == NULL) {
        tis_set_message(message, "out of memory");
        return TIS_NO_MEMORY;
    }
    for (uint32_t y = 0; y < decoder->height; y++) {
        decoder->rows[y] = pixels + (size_t)y * stride;
    }
    if (setjmp(png_jmpbuf(decoder->png))) {
        return decoder->truncated ? TIS_TRUNCATED : TIS_MALFORMED;
    }
    png_read_image(decoder->png, decoder->rows);
    png_read_end(decoder->png, NULL);
    return TIS_OK;
}

// MARK: encoding

struct png_encoder {
    tis_buffer *output;
    tis_message *message;
    int out_of_memory;
};

static void encoder_error(png_structp png, png_const_charp text) {
    struct png_encoder *encoder = png_get_error_ptr(png);
    tis_set_message(encoder->message, "%s", text);
    png_longjmp(png, 1);
}

static void write_bytes(png_structp png, png_bytep bytes, size_t count) {
    struct png_encoder *encoder = png_get_io_ptr(png);
    if (!tis_buffer_reserve(encoder->output, count)) {
        encoder->out_of_memory = 1;
        png_error(png, "out of memory");
    }
    memcpy(encoder->output->bytes + encoder->output->count, bytes, count);
    encoder->output->count += count;
}

static void flush_nothing(png_structp png) {
    (void)png;
}

tis_status tis_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                          int drop_alpha, int level, tis_buffer *output, tis_message *message) {
    output->bytes = NULL;
    output->count = 0;
    output->capacity = 0;
    if (stride < (size_t)width * 4) {
        tis_set_message(message, "row stride %zu is less than width %u times 4", stride, (unsigned)width);
        return TIS_UNSUPPORTED;
    }
    struct png_encoder *encoder = calloc(1, sizeof *encoder);
    if (encoder == NULL) {
        tis_set_message(message, "out of memory");
        return TIS_NO_MEMORY;
    }
    encoder->output = output;
    encoder->message = message;

    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, encoder, encoder_error, ignore_warning);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_write_struct(&png, NULL);
        free(encoder);
        tis_set_message(message, "out of memory");
        return TIS_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        tis_status status = encoder->out_of_memory ? TIS_NO_MEMORY : TIS_MALFORMED;
        png_destroy_write_struct(&png, &info);
        free(encoder);
        tis_buffer_free(output);
        return status;
    }

    png_set_write_fn(png, encoder, write_bytes, flush_nothing);
    png_set_IHDR(png, info, width, height, 8, drop_alpha ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, level);
    if (level <= 3) {
        // At the fast levels, trying all five filters per row costs more
        // than it saves; Up and Sub suit screen content well.
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB | PNG_FILTER_UP);
    }
    png_write_info(png, info);
    if (drop_alpha) {
        png_set_filler(png, 0, PNG_FILLER_AFTER);
    }
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, pixels + (size_t)y * stride);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(encoder);
    return TIS_OK;
}
