//! Where a photo comes from, for every page that takes one: drop it, pick it, paste it (Ctrl+V,
//! anywhere on the page) or snap it with the camera. Files are read here but decoded in the
//! worker; a huge file is refused unread.

use gloo::events::EventListener;
use js_sys::Uint8Array;
use playground_core::photo::check_photo_size;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    CanvasRenderingContext2d, ClipboardEvent, DragEvent, File, HtmlCanvasElement, HtmlInputElement,
    HtmlVideoElement, MediaStream, MediaStreamConstraints, MediaStreamTrack,
};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PhotoSourceProps {
    /// A photo was given: where it came from (a file's name, "camera snapshot") and its bytes.
    pub on_photo: Callback<(String, Vec<u8>)>,
    /// A problem found before the worker saw anything (file too big, camera denied…).
    pub on_refused: Callback<String>,
    /// Shown in the drop zone instead of the photo as given (a page's own view of it).
    #[prop_or_default]
    pub view: Option<Html>,
    /// More ways to give a photo, beside "Choose a photo" and "Use the camera" (a sample).
    #[prop_or_default]
    pub more: Html,
}

/// The drop zone: the photo as given (or the page's `view` of it), and the ways to give one.
#[component]
pub fn PhotoSource(props: &PhotoSourceProps) -> Html {
    let dragging = use_state(|| false);
    let camera: UseStateHandle<Option<MediaStream>> = use_state(|| None);
    let video = use_node_ref();
    let picker = use_node_ref();
    let snap_button = use_node_ref();
    // The photo as given (an object URL of its file or snapshot), shown in the drop zone.
    // The URL is also kept outside the render state: each new photo revokes the one before,
    // and leaving the page revokes the last (a 40 MB photo is not kept for the session).
    let preview = use_state(|| None::<String>);
    let preview_url = use_mut_ref(|| None::<String>);
    let show: Rc<dyn Fn(&web_sys::Blob)> = {
        let (preview, preview_url) = (preview.clone(), preview_url.clone());
        Rc::new(move |blob: &web_sys::Blob| {
            let url = web_sys::Url::create_object_url_with_blob(blob).ok();
            if let Some(old) = std::mem::replace(&mut *preview_url.borrow_mut(), url.clone()) {
                let _ = web_sys::Url::revoke_object_url(&old);
            }
            preview.set(url);
        })
    };
    {
        let preview_url = preview_url.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some(url) = preview_url.borrow_mut().take() {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
            }
        });
    }

    let read_file: Rc<dyn Fn(File)> = {
        let (on_photo, on_refused, show) = (props.on_photo.clone(), props.on_refused.clone(), show.clone());
        Rc::new(move |file: File| {
            if let Err(e) = check_photo_size(file.size() as u64) {
                on_refused.emit(format!("{} {e}", file.name()));
                return;
            }
            show(&file);
            let (on_photo, on_refused) = (on_photo.clone(), on_refused.clone());
            spawn_local(async move {
                match JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => on_photo.emit((file.name(), Uint8Array::new(&buffer).to_vec())),
                    Err(_) => on_refused.emit(format!("{} could not be read", file.name())),
                }
            });
        })
    };

    let on_pick = {
        let read_file = read_file.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file);
            }
            input.set_value("");
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let (read_file, dragging, on_refused) =
            (read_file.clone(), dragging.clone(), props.on_refused.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            match e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                Some(file) => read_file(file),
                None => on_refused.emit("drop an image file here".into()),
            }
        })
    };
    // Paste anywhere on the page. The listener is added once, so it calls the latest
    // `read_file`: the first render's copy would hold the first render's callbacks forever.
    let latest_read_file = use_mut_ref(|| read_file.clone());
    *latest_read_file.borrow_mut() = read_file.clone();
    {
        let latest = latest_read_file.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::document(), "paste", move |e| {
                let file = e
                    .dyn_ref::<ClipboardEvent>()
                    .and_then(|e| e.clipboard_data())
                    .and_then(|d| d.files())
                    .and_then(|f| f.get(0));
                if let Some(file) = file {
                    let read_file = latest.borrow().clone();
                    read_file(file);
                }
            });
            move || drop(listener)
        });
    }

    // Whether this page is still shown: the permission prompt can be answered after the person
    // has left it, and a camera nobody sees must not stay on.
    let shown = use_mut_ref(|| true);
    {
        let shown = shown.clone();
        use_effect_with((), move |_| move || *shown.borrow_mut() = false);
    }
    let start_camera = {
        let (camera, on_refused, shown) = (camera.clone(), props.on_refused.clone(), shown.clone());
        Callback::from(move |_| {
            let (camera, on_refused, shown) = (camera.clone(), on_refused.clone(), shown.clone());
            spawn_local(async move {
                match open_camera().await {
                    Ok(stream) if !*shown.borrow() => stop(&stream),
                    Ok(stream) => camera.set(Some(stream)),
                    Err(message) => on_refused.emit(message),
                }
            });
        })
    };
    // Attach the stream once the <video> exists (focus to Snap: the camera button is gone);
    // stop the camera when the page goes away.
    {
        let (video, snap_button) = (video.clone(), snap_button.clone());
        use_effect_with((*camera).clone(), move |stream| {
            if let (Some(stream), Some(el)) = (stream, video.cast::<HtmlVideoElement>()) {
                el.set_src_object(Some(stream));
                let _ = el.play();
                if let Some(button) = snap_button.cast::<web_sys::HtmlElement>() {
                    let _ = button.focus();
                }
            }
            let stream = stream.clone();
            move || {
                if let Some(stream) = stream {
                    stop(&stream);
                }
            }
        });
    }
    let snap = {
        let (camera, video, on_photo, on_refused, show) =
            (camera.clone(), video.clone(), props.on_photo.clone(), props.on_refused.clone(), show.clone());
        Callback::from(move |_| {
            let Some(el) = video.cast::<HtmlVideoElement>() else { return };
            let Some(frame) = frame_on_canvas(&el) else { return };
            let (on_photo, on_refused, show) = (on_photo.clone(), on_refused.clone(), show.clone());
            spawn_local(async move {
                match encode_png(&frame).await {
                    Some((blob, bytes)) => {
                        show(&blob);
                        on_photo.emit(("camera snapshot".into(), bytes))
                    }
                    None => on_refused.emit("the snapshot could not be encoded".into()),
                }
            });
            camera.set(None);
        })
    };

    html! {
        <div class={classes!("drop-zone", dragging.then_some("dragging"))} data-testid="drop-zone"
            ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
            if camera.is_some() {
                <video ref={video} class="camera" autoplay=true playsinline=true muted=true data-testid="camera"></video>
                <div class="tools">
                    <button ref={snap_button} onclick={snap} data-testid="snap">{ "Snap" }</button>
                    <button onclick={{ let camera = camera.clone(); Callback::from(move |_| camera.set(None)) }}>{ "Cancel" }</button>
                </div>
            } else {
                if let Some(view) = props.view.clone() {
                    { view }
                } else if let Some(url) = (*preview).clone() {
                    <img class="preview" src={url} alt="the photo you gave" data-testid="photo-preview" />
                } else {
                    <p class="drop-hint">
                        <span class="fine-pointer">{ "Drop a photo here, paste one (Ctrl+V), or:" }</span>
                        <span class="coarse-pointer">{ "Take a photo or choose one:" }</span>
                    </p>
                }
                <div class="tools">
                    // A real button: the file input itself opens with Space but not Enter.
                    <button onclick={{ let picker = picker.clone(); Callback::from(move |_| {
                        if let Some(input) = picker.cast::<HtmlInputElement>() { input.click(); }
                    }) }} data-testid="choose-photo">
                        { if preview.is_some() || props.view.is_some() { "Choose another photo" } else { "Choose a photo" } }
                    </button>
                    <input ref={picker} type="file" accept="image/jpeg,image/png,image/webp,image/gif" onchange={on_pick}
                        data-testid="photo-input" hidden=true />
                    <button onclick={start_camera} data-testid="camera-button">{ "Use the camera" }</button>
                    { props.more.clone() }
                </div>
                <p class="small">{ "JPEG, PNG, WebP or GIF, up to 40 MB. It never leaves this device." }</p>
            }
        </div>
    }
}

/// The rear camera where there is one. Each failure gets a sentence a person understands.
async fn open_camera() -> Result<MediaStream, String> {
    let devices = gloo::utils::window()
        .navigator()
        .media_devices()
        .map_err(|_| "This browser cannot use a camera here (it needs HTTPS or localhost).".to_string())?;
    let constraints = MediaStreamConstraints::new();
    let video = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&video, &"facingMode".into(), &"environment".into());
    constraints.set_video(&video);
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(|e| camera_error(&e))?;
    JsFuture::from(promise).await.map(|s| s.unchecked_into()).map_err(|e| camera_error(&e))
}

fn camera_error(e: &JsValue) -> String {
    let name = e.dyn_ref::<web_sys::DomException>().map(|d| d.name()).unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => {
            "Camera access was denied. Allow it in the browser, or choose a photo.".into()
        }
        "NotFoundError" | "OverconstrainedError" => "No camera was found on this device.".into(),
        "NotReadableError" => "The camera is in use by another application.".into(),
        _ => format!("The camera could not be started ({name})."),
    }
}

fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

/// The current video frame, drawn on a new canvas (then PNG-encoded by [`encode_png`]; the
/// worker decodes it like any file).
fn frame_on_canvas(video: &HtmlVideoElement) -> Option<HtmlCanvasElement> {
    let (w, h) = (video.video_width(), video.video_height());
    if w == 0 || h == 0 {
        return None;
    }
    let canvas: HtmlCanvasElement = gloo::utils::document().create_element("canvas").ok()?.unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.unchecked_into();
    ctx.draw_image_with_html_video_element(video, 0.0, 0.0).ok()?;
    Some(canvas)
}

/// The canvas as PNG bytes. `toBlob` encodes off the UI thread; `toDataURL`, used before,
/// encoded on it. The Snap click took 5.4–6.9 ms with a 640×480 frame, 2.6–3.7 ms now (medians
/// of 2 runs before, 3 after, of tests/e2e/bench/snap.js).
async fn encode_png(canvas: &HtmlCanvasElement) -> Option<(web_sys::Blob, Vec<u8>)> {
    let blob = canvas_png(canvas).await?;
    let buffer = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some((blob, Uint8Array::new(&buffer).to_vec()))
}

/// The canvas as a PNG file (`toBlob`: encoded off the UI thread).
pub async fn canvas_png(canvas: &HtmlCanvasElement) -> Option<web_sys::Blob> {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let done = resolve.clone();
        let callback = Closure::once_into_js(move |blob: JsValue| {
            let _ = done.call1(&JsValue::NULL, &blob);
        });
        if canvas.to_blob_with_type(callback.unchecked_ref(), "image/png").is_err() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
    });
    JsFuture::from(promise).await.ok()?.dyn_into().ok()
}
