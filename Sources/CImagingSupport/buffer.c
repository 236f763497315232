#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void tis_set_message(tis_message *message, const char *format, ...) {
    if (message == NULL) {
        return;
    }
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message->text, sizeof message->text, format, arguments);
    va_end(arguments);
}

void tis_buffer_free(tis_buffer *buffer) {
    if (buffer == NULL) {
        return;
    }
    free(buffer->bytes);
    buffer->bytes = NULL;
    buffer->count = 0;
    buffer->capacity = 0;
}

int tis_buffer_reserve(tis_buffer *buffer, size_t extra) {
    if (extra <= buffer->capacity - buffer->count) {
        return 1;
    }
    if (extra > SIZE_MAX / 2 - buffer->count) {
        return 0;
    }
    size_t needed = buffer->count + extra;
    size_t capacity = buffer->capacity < 65536 ? 65536 : buffer->capacity;
    while (capacity < needed) {
        capacity *= 2;
    }
    uint8_t *bytes = realloc(buffer->bytes, capacity);
    if (bytes == NULL) {
        return 0;
    }
    buffer->bytes = bytes;
    buffer->capacity = capacity;
    return 1;
}
