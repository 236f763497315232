// Helpers shared by the PNG and JPEG halves; not part of the public header.
#ifndef TETHER_IMAGING_SUPPORT_INTERNAL_H
#define TETHER_IMAGING_SUPPORT_INTERNAL_H

#include "CImagingSupport.h"

/// Writes a formatted message (printf-style) into message, when there is one.
void tis_set_message(tis_message *message, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/// Makes room for at least `extra` more bytes. Returns 0 on allocation failure.
int tis_buffer_reserve(tis_buffer *buffer, size_t extra);

#endif
