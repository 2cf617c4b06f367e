#ifndef CFFMPEG_SHIM_H
#define CFFMPEG_SHIM_H

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/imgutils.h>
#include <libavutil/channel_layout.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/buffersink.h>

// Macros Swift cannot import, as inline functions (prefix: cffmpeg_).

static inline int cffmpeg_AVERROR(int e) { return AVERROR(e); }
static inline int cffmpeg_AVERROR_EOF(void) { return AVERROR_EOF; }
static inline int cffmpeg_AVERROR_EAGAIN(void) { return AVERROR(EAGAIN); }
static inline int cffmpeg_AVERROR_INVALIDDATA(void) { return AVERROR_INVALIDDATA; }
static inline int64_t cffmpeg_AV_NOPTS_VALUE(void) { return AV_NOPTS_VALUE; }
static inline int cffmpeg_AV_TIME_BASE(void) { return AV_TIME_BASE; }
static inline AVRational cffmpeg_AV_TIME_BASE_Q(void) { return AV_TIME_BASE_Q; }
static inline int cffmpeg_AV_PKT_FLAG_KEY(void) { return AV_PKT_FLAG_KEY; }
static inline int cffmpeg_AV_PKT_FLAG_CORRUPT(void) { return AV_PKT_FLAG_CORRUPT; }

/// av_log is variadic; this sets the level without touching it from Swift.
static inline void cffmpeg_set_log_level(int level) { av_log_set_level(level); }
static inline int cffmpeg_AV_LOG_QUIET(void) { return AV_LOG_QUIET; }

/// av_err2str is a macro over a compound literal; this writes into the caller's buffer.
static inline const char *cffmpeg_strerror(int code, char *buf, size_t size) {
    av_strerror(code, buf, size);
    return buf;
}

#endif
