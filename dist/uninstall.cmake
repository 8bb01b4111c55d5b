# dist/uninstall.cmake -- undo an installation of glued, from its manifest:
#
#   [DESTDIR=DIR] cmake -DMANIFEST=build/installed-files.txt -P dist/uninstall.cmake
#
# (`make uninstall` runs it on the manifest `make install` kept; the
# manifest names the files without DESTDIR, as CMake writes it.) Removes
# every file the manifest lists but the configuration (etc/glued/*), then
# glued's own directories (share/glued/..., share/doc/glued, the unit's
# directory is not glued's) once they are empty. What is left is the
# configuration, as `dpkg -r` leaves it.
if(NOT MANIFEST OR NOT EXISTS "${MANIFEST}")
  message(FATAL_ERROR "uninstall: no manifest '${MANIFEST}' (make install writes build/installed-files.txt)")
endif()
file(STRINGS "${MANIFEST}" files)
set(dirs "")
foreach(f IN LISTS files)
  set(f "$ENV{DESTDIR}${f}")
  if(f MATCHES "/etc/glued/[^/]+$")
    message(STATUS "Keeping (configuration): ${f}")
    continue()
  endif()
  if(EXISTS "${f}" OR IS_SYMLINK "${f}")
    message(STATUS "Removing: ${f}")
    file(REMOVE "${f}")
  endif()
  get_filename_component(d "${f}" DIRECTORY)
  list(APPEND dirs "${d}")
endforeach()
# Deepest first, and only directories named for glued or inside one.
list(REMOVE_DUPLICATES dirs)
list(SORT dirs)
list(REVERSE dirs)
foreach(d IN LISTS dirs)
  while(d MATCHES "/glued(/|$)" AND IS_DIRECTORY "${d}")
    file(GLOB left "${d}/*" "${d}/.*")
    if(left)
      break()
    endif()
    message(STATUS "Removing: ${d}/")
    file(REMOVE_RECURSE "${d}")
    get_filename_component(d "${d}" DIRECTORY)
  endwhile()
endforeach()
