;; Adam's update on four floats at a time (SIMD), over arrays in a shared memory: the training
;; threads' exchange (exchange.ts, through simd-adam.ts) runs it on their slice of the parameters at
;; every step. Compiled to adam.wasm at build time (scripts/build-wasm.mjs, with wabt).
;;
;; For i in [0, bytes) by 16 bytes, with g0, g1 the two parts of the batch's gradient:
;;   g    = g0[i] + g1[i]
;;   m[i] = β1·m[i] + (1 − β1)·g
;;   v[i] = β2·v[i] + (1 − β2)·g²
;;   w[i] = w[i] − rate·m[i] / (√v[i] · correction + ε)
;; which is tf.train.adam's update with rate = lr / (1 − β1^t) and correction = 1 / √(1 − β2^t).
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "adam")
    (param $g0 i32) (param $g1 i32) (param $m i32) (param $v i32) (param $w i32) (param $bytes i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $rate f32) (param $correction f32) (param $epsilon f32)
    (local $i i32)
    (local $b1 v128) (local $c1 v128) (local $b2 v128) (local $c2 v128)
    (local $rate4 v128) (local $correction4 v128) (local $epsilon4 v128)
    (local $g v128) (local $mean v128) (local $square v128)
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $c1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $c2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $rate4 (f32x4.splat (local.get $rate)))
    (local.set $correction4 (f32x4.splat (local.get $correction)))
    (local.set $epsilon4 (f32x4.splat (local.get $epsilon)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $bytes)))
        (local.set $g
          (f32x4.add
            (v128.load (i32.add (local.get $g0) (local.get $i)))
            (v128.load (i32.add (local.get $g1) (local.get $i)))))
        (local.set $mean
          (f32x4.add
            (f32x4.mul (local.get $b1) (v128.load (i32.add (local.get $m) (local.get $i))))
            (f32x4.mul (local.get $c1) (local.get $g))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mean))
        (local.set $square
          (f32x4.add
            (f32x4.mul (local.get $b2) (v128.load (i32.add (local.get $v) (local.get $i))))
            (f32x4.mul (f32x4.mul (local.get $c2) (local.get $g)) (local.get $g))))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $square))
        (v128.store (i32.add (local.get $w) (local.get $i))
          (f32x4.sub
            (v128.load (i32.add (local.get $w) (local.get $i)))
            (f32x4.div
              (f32x4.mul (local.get $rate4) (local.get $mean))
              (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $square)) (local.get $correction4)) (local.get $epsilon4)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))))
