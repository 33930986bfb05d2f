//! Videos: recognised by their bytes, probed with `ffprobe`, transcoded by
//! `ffmpeg` to what every browser and app plays (MP4, H.264 yuv420p, AAC,
//! `faststart`), and a frame taken for the preview.
//!
//! ffmpeg reads untrusted files, so it is run with no shell, arguments as a
//! list, input and output paths of our own temporary files (never a name
//! from the client), the demuxer forced to the sniffed container (a file
//! cannot pass itself off as a playlist that makes ffmpeg open other files
//! or URLs), only the `file` protocol, no stdin, and a time limit after
//! which the process is killed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Semaphore;

/// Uploads larger than this are refused (Mastodon's video limit).
pub const MAX_VIDEO_BYTES: usize = 99 * 1024 * 1024;
/// Longer videos are refused: processing time grows with length.
pub const MAX_DURATION_SECS: f64 = 600.0;
/// No side may be longer, and no frame larger (DCI 4K).
pub const MAX_SIDE: u32 = 4096;
pub const MAX_MATRIX: u64 = 4096 * 2160;
/// Faster videos are refused (as Mastodon does); up to this, the output is
/// capped at `OUTPUT_MAX_FPS`.
pub const MAX_FRAME_RATE: f64 = 120.0;
/// The output fits 1920×1080 (landscape) or 1080×1920 (portrait).
pub const OUTPUT_LONG_SIDE: u32 = 1920;
pub const OUTPUT_SHORT_SIDE: u32 = 1080;
pub const OUTPUT_MAX_FPS: f64 = 60.0;

pub const SUPPORTED_TYPES: &[&str] = &["video/mp4", "video/webm", "video/quicktime"];

const PROBE_TIME_LIMIT: Duration = Duration::from_secs(30);
/// Transcoding is killed after this; the video counts as failed.
pub const TRANSCODE_TIME_LIMIT: Duration = Duration::from_secs(15 * 60);
const FRAME_TIME_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VideoError {
    #[error("video is not supported on this server: ffmpeg is not installed")]
    NotInstalled,
    #[error("File could not be read as a video")]
    Unreadable,
    #[error("Video is too long (the limit is 10 minutes)")]
    TooLong,
    #[error("Video is too large (the limit is 4096 pixels on a side and 4096×2160 pixels)")]
    TooManyPixels,
    #[error("Video frame rate is too high (the limit is 120 frames per second)")]
    TooFast,
    #[error("Video took too long to process")]
    TimedOut,
    #[error("Video could not be processed")]
    Failed(String),
}

/// The containers accepted, as sniffed from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// ISO base media (`ftyp`): MP4, M4V, 3GP.
    Mp4,
    /// QuickTime (`ftyp qt`, or an old file starting with a bare atom).
    QuickTime,
    /// EBML: WebM, and Matroska, which the same demuxer reads.
    WebM,
}

impl Container {
    /// Recognises a video container from at least the first 12 bytes.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            return Some(Container::WebM);
        }
        let atom = head.get(4..8)?;
        if atom == b"ftyp" {
            return match head.get(8..12)? {
                b"qt  " => Some(Container::QuickTime),
                // Still images (AVIF, HEIC) and audio share the box format.
                b"avif" | b"avis" | b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1"
                | b"M4A " | b"M4B " | b"M4P " => None,
                _ => Some(Container::Mp4),
            };
        }
        matches!(
            atom,
            b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot"
        )
        .then_some(Container::QuickTime)
    }

    /// The ffmpeg demuxer, forced so the file is read as nothing else.
    fn demuxer(self) -> &'static str {
        match self {
            Container::Mp4 | Container::QuickTime => "mov",
            Container::WebM => "matroska",
        }
    }
}

/// What `ffprobe` says about a video.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    /// As displayed (rotation applied).
    pub width: u32,
    pub height: u32,
    /// Seconds; 0 when the file does not say (live WebM recordings).
    pub duration: f64,
    /// ffprobe's fraction, e.g. `30/1` (Mastodon's `frame_rate`).
    pub frame_rate: String,
    pub fps: f64,
    /// Bits per second of the whole file, when known.
    pub bitrate: Option<i64>,
    video_stream: u32,
    audio: Option<(u32, u32)>,
}

#[derive(Deserialize)]
struct ProbeJson {
    #[serde(default)]
    streams: Vec<StreamJson>,
    #[serde(default)]
    format: FormatJson,
}

#[derive(Deserialize)]
struct StreamJson {
    index: u32,
    codec_type: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    channels: Option<u32>,
    duration: Option<String>,
    #[serde(default)]
    disposition: DispositionJson,
    #[serde(default)]
    side_data_list: Vec<SideDataJson>,
    #[serde(default)]
    tags: std::collections::HashMap<String, String>,
}

#[derive(Deserialize, Default)]
struct DispositionJson {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct SideDataJson {
    rotation: Option<f64>,
}

#[derive(Deserialize, Default)]
struct FormatJson {
    duration: Option<String>,
    bit_rate: Option<String>,
}

/// `30000/1001` → 29.97; 0 when unknown.
pub fn parse_rate(rate: &str) -> f64 {
    match rate.split_once('/') {
        Some((n, d)) => match (n.parse::<f64>(), d.parse::<f64>()) {
            (Ok(n), Ok(d)) if d > 0.0 => n / d,
            _ => 0.0,
        },
        None => rate.parse().unwrap_or(0.0),
    }
}

/// Reads ffprobe's JSON: the first real video stream (cover art is not),
/// the first audio stream, and the numbers Mastodon shows.
fn parse_probe(json: &[u8]) -> Result<VideoInfo, VideoError> {
    let probe: ProbeJson = serde_json::from_slice(json).map_err(|_| VideoError::Unreadable)?;
    let video = probe
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video") && s.disposition.attached_pic == 0)
        .ok_or(VideoError::Unreadable)?;
    let (coded_w, coded_h) = match (video.width, video.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
        _ => return Err(VideoError::Unreadable),
    };
    let rotation = video
        .side_data_list
        .iter()
        .find_map(|d| d.rotation)
        .or_else(|| video.tags.get("rotate").and_then(|r| r.parse().ok()))
        .unwrap_or(0.0);
    let quarter_turn = (rotation.round() as i64).rem_euclid(180) == 90;
    let (width, height) = if quarter_turn {
        (coded_h, coded_w)
    } else {
        (coded_w, coded_h)
    };
    let frame_rate = [&video.avg_frame_rate, &video.r_frame_rate]
        .into_iter()
        .flatten()
        .find(|r| parse_rate(r) > 0.0)
        .cloned()
        .unwrap_or_default();
    let duration = [&probe.format.duration, &video.duration]
        .into_iter()
        .flatten()
        .find_map(|d| d.parse::<f64>().ok().filter(|d| d.is_finite() && *d > 0.0))
        .unwrap_or(0.0);
    let audio = probe
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"))
        .map(|s| (s.index, s.channels.unwrap_or(2)));
    Ok(VideoInfo {
        width,
        height,
        duration,
        fps: parse_rate(&frame_rate),
        frame_rate,
        bitrate: probe.format.bit_rate.and_then(|b| b.parse().ok()),
        video_stream: video.index,
        audio,
    })
}

impl VideoInfo {
    /// Refuses what Loggia will not process.
    pub fn check_limits(&self) -> Result<(), VideoError> {
        if self.width > MAX_SIDE
            || self.height > MAX_SIDE
            || u64::from(self.width) * u64::from(self.height) > MAX_MATRIX
        {
            return Err(VideoError::TooManyPixels);
        }
        if self.duration > MAX_DURATION_SECS {
            return Err(VideoError::TooLong);
        }
        if self.fps > MAX_FRAME_RATE {
            return Err(VideoError::TooFast);
        }
        Ok(())
    }
}

/// The output size: within the 1920×1080 box turned to the video's
/// orientation, aspect kept, both sides even (yuv420p needs it).
pub fn output_size(width: u32, height: u32) -> (u32, u32) {
    let (long, short) = (width.max(height), width.min(height));
    let scale = 1f64
        .min(f64::from(OUTPUT_LONG_SIDE) / f64::from(long.max(1)))
        .min(f64::from(OUTPUT_SHORT_SIDE) / f64::from(short.max(1)));
    let even = |side: u32| (((f64::from(side) * scale) / 2.0).round() as u32 * 2).max(2);
    (even(width), even(height))
}

/// Runs ffmpeg and ffprobe, at most `permits` transcodes at a time.
#[derive(Debug, Clone)]
pub struct Transcoder {
    ffmpeg: PathBuf,
    ffprobe: PathBuf,
    permits: Arc<Semaphore>,
}

impl Default for Transcoder {
    /// The programs on `PATH`; one transcode per two cores (libx264 uses
    /// all cores by itself; more at once would only starve requests).
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new("ffmpeg".into(), "ffprobe".into(), (cores / 2).max(1))
    }
}

impl Transcoder {
    pub fn new(ffmpeg: PathBuf, ffprobe: PathBuf, permits: usize) -> Self {
        Self {
            ffmpeg,
            ffprobe,
            permits: Arc::new(Semaphore::new(permits)),
        }
    }

    /// Whether `ffmpeg` and `ffprobe` can be run (checked at start, to say so).
    pub async fn available(&self) -> bool {
        let mut found = true;
        for program in [&self.ffmpeg, &self.ffprobe] {
            let version = [OsString::from("-version")];
            found &= run(program, &version, PROBE_TIME_LIMIT).await.is_ok();
        }
        found
    }

    /// Probes a file sniffed as `container`.
    pub async fn probe(&self, input: &Path, container: Container) -> Result<VideoInfo, VideoError> {
        let mut args = strs(&[
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
            "-protocol_whitelist",
            "file",
            "-f",
            container.demuxer(),
        ]);
        args.push(file_url(input)?);
        let out = match run(&self.ffprobe, &args, PROBE_TIME_LIMIT).await {
            Err(VideoError::Failed(cause)) => {
                tracing::debug!(error = %cause, "ffprobe cannot read an upload");
                return Err(VideoError::Unreadable);
            }
            other => other?,
        };
        parse_probe(&out)
    }

    /// Transcodes `input` to an MP4 at `output`; returns what the output is.
    /// Waits for a free slot first.
    pub async fn transcode(
        &self,
        input: &Path,
        container: Container,
        output: &Path,
    ) -> Result<VideoInfo, VideoError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| VideoError::Failed(e.to_string()))?;
        let info = self.probe(input, container).await?;
        info.check_limits()?;
        let (width, height) = output_size(info.width, info.height);
        let mut filters = format!("scale={width}:{height}");
        if info.fps > OUTPUT_MAX_FPS {
            filters.push_str(&format!(",fps={OUTPUT_MAX_FPS}"));
        }
        let mut args = strs(&["-nostdin", "-hide_banner", "-loglevel", "error"]);
        args.extend(cpu_limit(TRANSCODE_TIME_LIMIT));
        args.extend(strs(&[
            "-protocol_whitelist",
            "file",
            "-f",
            container.demuxer(),
            "-i",
        ]));
        args.push(file_url(input)?);
        args.push("-map".into());
        args.push(format!("0:{}", info.video_stream).into());
        if let Some((index, _)) = info.audio {
            args.push("-map".into());
            args.push(format!("0:{index}").into());
        }
        // No metadata leaves: phones record where a video was taken.
        args.extend(strs(&[
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "-sn",
            "-dn",
            "-t",
            &MAX_DURATION_SECS.to_string(),
            "-vf",
            &filters,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-maxrate",
            "8M",
            "-bufsize",
            "16M",
            "-pix_fmt",
            "yuv420p",
        ]));
        match info.audio {
            Some((_, channels)) => {
                args.extend(strs(&["-c:a", "aac", "-b:a", "160k"]));
                if channels > 2 {
                    args.extend(strs(&["-ac", "2"]));
                }
            }
            None => args.push("-an".into()),
        }
        args.extend(strs(&["-movflags", "+faststart", "-f", "mp4", "-y"]));
        args.push(file_url(output)?);
        run(&self.ffmpeg, &args, TRANSCODE_TIME_LIMIT).await?;
        drop(permit);
        self.probe(output, Container::Mp4).await
    }

    /// Writes one frame of a transcoded MP4 as JPEG (a frame is a photo):
    /// a second in, or the first frame of a shorter video.
    pub async fn frame(&self, mp4: &Path, duration: f64, output: &Path) -> Result<(), VideoError> {
        let seeks: &[&str] = if duration >= 2.0 { &["1", "0"] } else { &["0"] };
        for at in seeks {
            let mut args = strs(&["-nostdin", "-hide_banner", "-loglevel", "error"]);
            args.extend(cpu_limit(FRAME_TIME_LIMIT));
            args.extend(strs(&[
                "-protocol_whitelist",
                "file",
                "-ss",
                at,
                "-f",
                "mov",
                "-i",
            ]));
            args.push(file_url(mp4)?);
            args.extend(strs(&[
                "-map",
                "0:v:0",
                "-frames:v",
                "1",
                "-an",
                "-f",
                "image2",
                "-c:v",
                "mjpeg",
                "-q:v",
                "2",
                "-y",
            ]));
            args.push(file_url(output)?);
            run(&self.ffmpeg, &args, FRAME_TIME_LIMIT).await?;
            // A seek past the end succeeds without writing anything.
            if tokio::fs::metadata(output).await.is_ok_and(|m| m.len() > 0) {
                return Ok(());
            }
        }
        Err(VideoError::Failed("no frame could be extracted".into()))
    }
}

/// ffmpeg's own limit on the CPU time it may use: never reached before
/// `limit` while Loggia watches (it is `limit` on every core), it stops an
/// ffmpeg left behind by a node that died.
fn cpu_limit(limit: Duration) -> Vec<OsString> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    strs(&["-timelimit", &(limit.as_secs() * cores).to_string()])
}

fn strs(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

/// `file:/absolute/path`: never read as an option or another protocol.
fn file_url(path: &Path) -> Result<OsString, VideoError> {
    if !path.is_absolute() {
        return Err(VideoError::Failed(format!(
            "not an absolute path: {}",
            path.display()
        )));
    }
    let mut url = OsString::from("file:");
    url.push(path.as_os_str());
    Ok(url)
}

/// Runs a program to completion within `limit`; its stdout on success.
/// On timeout the child is dropped, and `kill_on_drop` kills it.
async fn run(program: &Path, args: &[OsString], limit: Duration) -> Result<Vec<u8>, VideoError> {
    let child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => VideoError::NotInstalled,
            _ => VideoError::Failed(format!("cannot run {}: {e}", program.display())),
        })?;
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| VideoError::TimedOut)?
        .map_err(|e| VideoError::Failed(e.to_string()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: String = stderr
            .chars()
            .rev()
            .take(500)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(VideoError::Failed(format!(
            "{} exited with {}: {}",
            program.display(),
            output.status,
            tail.trim()
        )));
    }
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_sniffed_from_bytes() {
        assert_eq!(
            Container::sniff(b"\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\xf7\x81"),
            Some(Container::WebM)
        );
        assert_eq!(
            Container::sniff(b"\0\0\0\x20ftypisom\0\0\x02\0"),
            Some(Container::Mp4)
        );
        assert_eq!(
            Container::sniff(b"\0\0\0\x14ftypqt  \0\0\x02\0"),
            Some(Container::QuickTime)
        );
        assert_eq!(Container::sniff(b"\0\0\0\x1cftypavif\0\0\0\0"), None);
        assert_eq!(Container::sniff(b"\0\0\0\x1cftypM4A \0\0\0\0"), None);
        assert_eq!(Container::sniff(b"%PDF-1.4 not a video"), None);
        assert_eq!(Container::sniff(b"\x1A\x45"), None);
    }

    #[test]
    fn output_fits_the_box_in_its_orientation_with_even_sides() {
        assert_eq!(output_size(560, 320), (560, 320));
        assert_eq!(output_size(3840, 2160), (1920, 1080));
        assert_eq!(output_size(2160, 3840), (1080, 1920));
        assert_eq!(output_size(641, 361), (642, 362));
        assert_eq!(output_size(4096, 1000), (1920, 468));
        assert_eq!(output_size(1, 1), (2, 2));
    }

    #[test]
    fn probes_are_read_with_rotation_cover_art_and_limits() {
        let json = br#"{"streams": [
            {"index": 0, "codec_type": "video", "width": 600, "height": 600,
             "disposition": {"attached_pic": 1}},
            {"index": 1, "codec_type": "video", "width": 1920, "height": 1080,
             "avg_frame_rate": "0/0", "r_frame_rate": "30000/1001",
             "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]},
            {"index": 2, "codec_type": "audio", "channels": 6}],
            "format": {"duration": "12.5", "bit_rate": "4000000"}}"#;
        let info = parse_probe(json).expect("parsed");
        assert_eq!((info.width, info.height), (1080, 1920));
        assert_eq!(info.frame_rate, "30000/1001");
        assert!((info.fps - 29.97).abs() < 0.01);
        assert_eq!(info.duration, 12.5);
        assert_eq!(info.bitrate, Some(4_000_000));
        assert_eq!((info.video_stream, info.audio), (1, Some((2, 6))));
        assert_eq!(info.check_limits(), Ok(()));
        let too_long = VideoInfo {
            duration: 601.0,
            ..info.clone()
        };
        assert_eq!(too_long.check_limits(), Err(VideoError::TooLong));
        let too_big = VideoInfo {
            width: 8000,
            ..info.clone()
        };
        assert_eq!(too_big.check_limits(), Err(VideoError::TooManyPixels));
        let too_fast = VideoInfo { fps: 240.0, ..info };
        assert_eq!(too_fast.check_limits(), Err(VideoError::TooFast));
        assert_eq!(
            parse_probe(br#"{"streams": [{"index": 0, "codec_type": "audio"}]}"#),
            Err(VideoError::Unreadable)
        );
    }

    #[tokio::test]
    async fn a_missing_ffmpeg_is_said_plainly() {
        let missing = Transcoder::new(
            "/nonexistent/ffmpeg".into(),
            "/nonexistent/ffprobe".into(),
            1,
        );
        assert!(!missing.available().await);
        let err = missing
            .probe(Path::new("/tmp/x.webm"), Container::WebM)
            .await
            .unwrap_err();
        assert_eq!(err, VideoError::NotInstalled);
        assert_eq!(
            err.to_string(),
            "video is not supported on this server: ffmpeg is not installed"
        );
    }

    #[test]
    fn paths_reach_ffmpeg_as_file_urls() {
        assert_eq!(
            file_url(Path::new("/tmp/-i")).expect("absolute"),
            OsString::from("file:/tmp/-i")
        );
        assert!(file_url(Path::new("-i")).is_err());
    }
}
