// What the screen adapter sees of v86's VGA (pinned to v86 0.5.462), and the ImageData class
// its graphics need in Node.

/** The image v86's VGA hands to a screen adapter: RGBA bytes (in the emulator's memory). */
export interface V86ImageData {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** One layer of `update_buffer`: a part of `image_data` placed on the screen. */
export interface V86Layer {
  image_data: V86ImageData | null;
  screen_x: number;
  screen_y: number;
  buffer_x: number;
  buffer_y: number;
  buffer_width: number;
  buffer_height: number;
}

/** The screen adapter interface v86's VGA calls (src/browser/screen.js, v86 0.5.462). */
export interface V86ScreenAdapter {
  FLAG_BLINKING?: number;
  FLAG_FONT_PAGE_B?: number;
  put_char(row: number, col: number, chr: number, flags: number, bg: number, fg: number): void;
  set_mode(graphical: boolean): void;
  set_size_text(cols: number, rows: number): void;
  set_size_graphical(width: number, height: number, virtualWidth: number, virtualHeight: number): void;
  update_cursor(row: number, col: number): void;
  update_cursor_scanline(start: number, end: number, enabled: boolean): void;
  update_buffer(layers: V86Layer[]): void;
  clear_screen(): void;
  clear_text_state(): void;
  set_font_bitmap(height: number, width9: boolean, widthDouble: boolean, copy8th: boolean, plane2: Uint8Array, dirty: boolean): void;
  set_font_page(a: number, b: number): void;
}

/** The parts of v86's VGA device (src/vga.js) this screen reads, pinned to v86 0.5.462. */
export interface V86Vga {
  screen: V86ScreenAdapter;
  graphical_mode: boolean;
  svga_enabled: boolean;
  svga_bpp: number;
  screen_width: number;
  screen_height: number;
  virtual_width: number;
  virtual_height: number;
  max_cols: number;
  max_rows: number;
  image_data: V86ImageData | null;
  diff_addr_min: number;
  diff_addr_max: number;
  start_address: number;
  start_address_latched: number;
  plane2: Uint8Array;
  set_size_graphical(width: number, height: number, virtualWidth: number, virtualHeight: number, bpp: number): void;
  update_layers(): void;
  set_font_bitmap(dirty: boolean): void;
  set_font_page(): void;
  update_cursor(): void;
  update_cursor_scanline(): void;
  complete_redraw(): void;
  screen_fill_buffer(): void;
}

/** Gives v86's VGA what it needs to produce graphics in Node: an ImageData class. */
export function ensureImageData(): void {
  const g = globalThis as { ImageData?: unknown };
  if (typeof g.ImageData !== 'undefined') return;
  g.ImageData = class ImageData implements V86ImageData {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number = data.length / 4 / width,
    ) {}
  };
}
