fn main() {
    yew::Renderer::<playground::app::App>::new().render();
}
