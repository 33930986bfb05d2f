//! Turning an uploaded image into what Loggia serves: decoded under limits
//! (no decompression bombs), turned upright by its EXIF orientation,
//! re-encoded without any metadata (EXIF, GPS, camera serials are gone),
//! shrunk to at most `MAX_PIXELS`, with a thumbnail and a blurhash.

use std::io::Cursor;

use image::{DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Uploads larger than this are refused before decoding.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;
/// Images with more pixels than this are refused (decoding would need too
/// much memory).
pub const MAX_DECODE_PIXELS: u64 = 33_177_600;
/// Stored originals are shrunk to at most this many pixels (3840×2160).
pub const MAX_PIXELS: u64 = 8_294_400;
/// Thumbnails have at most this many pixels (640×360).
pub const THUMB_PIXELS: u64 = 230_400;

pub const SUPPORTED_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProcessError {
    #[error("File is too large (the limit is 16 MB)")]
    TooLarge,
    #[error("File type is not supported (use JPEG, PNG, WebP or GIF)")]
    Unsupported,
    #[error("Image has too many pixels (the limit is 33 megapixels)")]
    TooManyPixels,
    #[error("File could not be read as an image")]
    Corrupt,
}

/// A processed image, ready to store.
#[derive(Debug, Clone)]
pub struct Processed {
    pub content_type: &'static str,
    pub extension: &'static str,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub blurhash: String,
}

/// Processes an upload. CPU-heavy: call from a blocking task.
pub fn process_image(bytes: &[u8]) -> Result<Processed, ProcessError> {
    let (img, format) = decode(bytes)?;
    let img = shrink(img, MAX_PIXELS);
    let thumb = shrink(img.clone(), THUMB_PIXELS);
    // Photos stay JPEG; anything that may be transparent becomes PNG.
    let (content_type, extension, out_format) =
        if format == ImageFormat::Jpeg || !img.color().has_alpha() {
            JPEG
        } else {
            PNG
        };
    let bytes = encode(&img, out_format)?;
    let thumbnail = encode(&thumb, out_format)?;
    let blurhash = blurhash_of(&thumb);
    let (width, height) = img.dimensions();
    let (thumb_width, thumb_height) = thumb.dimensions();
    Ok(Processed {
        content_type,
        extension,
        bytes,
        width,
        height,
        thumbnail,
        thumb_width,
        thumb_height,
        blurhash,
    })
}

const JPEG: (&str, &str, ImageFormat) = ("image/jpeg", "jpg", ImageFormat::Jpeg);
const PNG: (&str, &str, ImageFormat) = ("image/png", "png", ImageFormat::Png);

/// A preview image (a video's custom thumbnail or extracted frame).
#[derive(Debug, Clone)]
pub struct Thumbnail {
    pub extension: &'static str,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub blurhash: String,
}

/// Processes a preview image: decoded under the same limits as uploads,
/// shrunk to `THUMB_PIXELS`, metadata stripped. A JPEG stays JPEG and
/// anything else becomes PNG, so a PNG someone chose stays a PNG.
/// CPU-heavy: call from a blocking task.
pub fn process_thumbnail(bytes: &[u8]) -> Result<Thumbnail, ProcessError> {
    let (img, format) = decode(bytes)?;
    let thumb = shrink(img, THUMB_PIXELS);
    let (_, extension, out_format) = if format == ImageFormat::Jpeg {
        JPEG
    } else {
        PNG
    };
    let (width, height) = thumb.dimensions();
    Ok(Thumbnail {
        extension,
        bytes: encode(&thumb, out_format)?,
        width,
        height,
        blurhash: blurhash_of(&thumb),
    })
}

/// The supported format of an upload, from its first bytes.
pub fn sniff(head: &[u8]) -> Option<ImageFormat> {
    image::guess_format(head).ok().filter(|format| {
        matches!(
            format,
            ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
        )
    })
}

/// Decodes under limits and turns the image upright.
fn decode(bytes: &[u8]) -> Result<(DynamicImage, ImageFormat), ProcessError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ProcessError::TooLarge);
    }
    // The content is sniffed; what the client claims does not matter.
    let format = sniff(bytes).ok_or(ProcessError::Unsupported)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(MAX_DECODE_PIXELS * 4 + 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| ProcessError::Corrupt)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_DECODE_PIXELS {
        return Err(ProcessError::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => ProcessError::TooManyPixels,
        _ => ProcessError::Corrupt,
    })?;
    img.apply_orientation(orientation);
    Ok((img, format))
}

fn shrink(img: DynamicImage, max_pixels: u64) -> DynamicImage {
    let (w, h) = img.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    if pixels <= max_pixels {
        return img;
    }
    let scale = (max_pixels as f64 / pixels as f64).sqrt();
    let nw = ((f64::from(w) * scale).floor() as u32).max(1);
    let nh = ((f64::from(h) * scale).floor() as u32).max(1);
    img.resize(nw, nh, image::imageops::FilterType::Triangle)
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, ProcessError> {
    let mut out = Cursor::new(Vec::new());
    let result = if format == ImageFormat::Jpeg {
        // JPEG has no alpha channel.
        DynamicImage::ImageRgb8(img.to_rgb8()).write_to(&mut out, format)
    } else {
        img.write_to(&mut out, format)
    };
    result.map_err(|_| ProcessError::Corrupt)?;
    Ok(out.into_inner())
}

fn blurhash_of(img: &DynamicImage) -> String {
    let small = img.thumbnail(64, 64).to_rgba8();
    let (w, h) = small.dimensions();
    blurhash::encode(4, 3, w, h, small.as_raw()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).expect("encode");
        out.into_inner()
    }

    #[test]
    fn small_images_keep_their_size_and_get_a_thumbnail_and_blurhash() {
        let processed = process_image(&png(800, 600)).expect("processed");
        assert_eq!((processed.width, processed.height), (800, 600));
        assert!(
            u64::from(processed.thumb_width) * u64::from(processed.thumb_height) <= THUMB_PIXELS
        );
        assert_eq!(processed.content_type, "image/jpeg");
        assert!(processed.blurhash.len() >= 6);
        assert!(image::load_from_memory(&processed.thumbnail).is_ok());
    }

    #[test]
    fn large_images_are_shrunk() {
        let processed = process_image(&png(4000, 2500)).expect("processed");
        assert!(u64::from(processed.width) * u64::from(processed.height) <= MAX_PIXELS);
        assert!(
            processed.width as f64 / processed.height as f64 > 1.5,
            "aspect kept"
        );
    }

    #[test]
    fn garbage_and_foreign_formats_are_refused() {
        assert_eq!(
            process_image(b"not an image at all").unwrap_err(),
            ProcessError::Unsupported
        );
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert!(process_image(&truncated).is_err());
        assert_eq!(
            process_image(&vec![0u8; MAX_UPLOAD_BYTES + 1]).unwrap_err(),
            ProcessError::TooLarge
        );
    }

    #[test]
    fn thumbnails_keep_png_and_jpeg_and_are_shrunk() {
        let thumb = process_thumbnail(&png(50, 50)).expect("processed");
        assert_eq!(
            (thumb.extension, thumb.width, thumb.height),
            ("png", 50, 50)
        );
        assert_eq!(
            image::guess_format(&thumb.bytes).ok(),
            Some(ImageFormat::Png)
        );
        let big = process_thumbnail(&png(1600, 900)).expect("processed");
        assert!(u64::from(big.width) * u64::from(big.height) <= THUMB_PIXELS);
        assert!(process_thumbnail(b"GIF89a but broken").is_err());
    }

    #[test]
    fn decompression_bombs_are_refused_before_decoding() {
        // A valid PNG header claiming 20000×20000 pixels.
        let img = DynamicImage::ImageLuma8(image::GrayImage::new(1, 1));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).expect("encode");
        let mut bytes = out.into_inner();
        bytes[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert!(process_image(&bytes).is_err());
    }
}
