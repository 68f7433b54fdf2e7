// The Image Editing Tool: a Cropper.js box on the downscaled copy, kept in step with the form's
// crop fields in the ORIGINAL's pixels (the job applies the edit to the original).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var img = document.getElementById("edit-image");
    if (!img || !window.Cropper) return;
    var form = document.getElementById("image-edit-form");
    var field = function (name) { return form.querySelector("[data-crop=" + name + "]"); };
    var scale = function () { return Number(img.dataset.width) / img.naturalWidth; };
    var syncing = false;
    var cropper = new window.Cropper(img, {
      viewMode: 1, autoCrop: false, zoomable: false, rotatable: false, movable: false,
      crop: function (event) {
        if (syncing) return;
        var s = scale(), d = event.detail;
        field("x").value = Math.max(0, Math.round(d.x * s));
        field("y").value = Math.max(0, Math.round(d.y * s));
        field("width").value = Math.round(d.width * s);
        field("height").value = Math.round(d.height * s);
      }
    });
    form.addEventListener("change", function (event) {
      if (!event.target.dataset.crop) return;
      var s = scale(), v = function (n) { return Number(field(n).value || 0) / s; };
      if (!field("width").value || !field("height").value) return;
      syncing = true;
      cropper.crop();
      cropper.setData({ x: v("x"), y: v("y"), width: v("width"), height: v("height") });
      syncing = false;
    });
    document.getElementById("crop-clear").addEventListener("click", function () {
      cropper.clear();
      ["x", "y", "width", "height"].forEach(function (n) { field(n).value = ""; });
    });
  });
})();
